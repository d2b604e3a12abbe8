# facesift's own native addon: the dense-similarity kernels lib/similarity runs (no FAISS in it).
# Built from source by scripts/build-native.sh (node-gyp from npm, Node headers from the running
# node's prefix; nothing downloaded) into native/build/Release/facesift_similarity.node.
{
  'target_defaults': {
    'cflags!': ['-fno-exceptions', '-fno-rtti'],
    'cflags_cc!': ['-fno-exceptions', '-fno-rtti', '-std=gnu++17'],
    'cflags': ['-fopenmp', '-fexceptions'],
    'cflags_cc': ['-std=c++17'],
    'defines': ['NAPI_CPP_EXCEPTIONS', 'NAPI_VERSION=8'],
    'include_dirs': ['<!(node -p "require(\'node-addon-api\').include_dir")'],
  },
  'targets': [
    {
      # gyp has no per-file flags, so each instruction set's build of kernels.cc is its own library.
      'target_name': 'facesift_kernels_baseline',
      'type': 'static_library',
      'sources': ['src/kernels.cc'],
      'cflags': ['-fPIC'],
      'defines': ['FACESIFT_KERNEL_SET=kernelsBaseline', 'FACESIFT_KERNEL_ISA="float32-scalar"'],
    },
    {
      'target_name': 'facesift_int8_scalar',
      'type': 'static_library',
      'sources': ['src/int8.cc'],
      'cflags': ['-fPIC'],
      'defines': ['FACESIFT_INT8_SET=int8Scalar', 'FACESIFT_INT8_ISA="int8-scalar"'],
    },
    {
      'target_name': 'facesift_similarity',
      'sources': ['src/similarity.cc'],
      'dependencies': ['facesift_kernels_baseline', 'facesift_int8_scalar'],
      'libraries': ['-fopenmp'],
      'conditions': [
        ['target_arch=="x64"', {
          'defines': ['FACESIFT_X86_KERNELS'],
          'dependencies': ['facesift_kernels_avx2', 'facesift_kernels_avx512', 'facesift_int8_avx2', 'facesift_int8_avx512vnni'],
        }],
      ],
    },
  ],
  'conditions': [
    ['target_arch=="x64"', {
      'targets': [
        {
          'target_name': 'facesift_kernels_avx2',
          'type': 'static_library',
          'sources': ['src/kernels.cc'],
          'cflags': ['-fPIC', '-mavx2', '-mfma'],
          'defines': ['FACESIFT_KERNEL_SET=kernelsAvx2', 'FACESIFT_KERNEL_ISA="float32-avx2"'],
        },
        {
          'target_name': 'facesift_kernels_avx512',
          'type': 'static_library',
          'sources': ['src/kernels.cc'],
          'cflags': ['-fPIC', '-mavx512f', '-mavx512dq', '-mavx512bw', '-mavx512vl', '-mavx2', '-mfma'],
          'defines': ['FACESIFT_KERNEL_SET=kernelsAvx512', 'FACESIFT_KERNEL_ISA="float32-avx512"'],
        },
        {
          'target_name': 'facesift_int8_avx2',
          'type': 'static_library',
          'sources': ['src/int8.cc'],
          'cflags': ['-fPIC', '-mavx2', '-mfma'],
          'defines': ['FACESIFT_INT8_SET=int8Avx2', 'FACESIFT_INT8_ISA="int8-avx2"'],
        },
        {
          'target_name': 'facesift_int8_avx512vnni',
          'type': 'static_library',
          'sources': ['src/int8.cc'],
          'cflags': ['-fPIC', '-mavx512f', '-mavx512dq', '-mavx512bw', '-mavx512vl', '-mavx512vnni', '-mavx2', '-mfma'],
          'defines': ['FACESIFT_INT8_SET=int8Avx512Vnni', 'FACESIFT_INT8_ISA="int8-avx512vnni"'],
        },
      ],
    }],
  ],
}
