# Builds faiss-node from its own installed source against Debian's libfaiss, plus facesift's
# similarity addon. scripts/build-faiss.sh copies this file into node_modules/faiss-node/ (node-gyp
# only reads ./binding.gyp) and our C++ sources into node_modules/faiss-node/facesift/ (gyp names
# object files after their source path, and a path with '..' would make the per-ISA builds of
# kernels.cc share one object file). Both addons land in node_modules/faiss-node/build/Release/,
# where require('faiss-node') and lib/similarity find them.
{
  'target_defaults': {
    'cflags!': ['-fno-exceptions', '-fno-rtti'],
    'cflags_cc!': ['-fno-exceptions', '-fno-rtti', '-std=gnu++17'],
    'cflags': ['-fopenmp', '-fexceptions', '-frtti'],
    'cflags_cc': ['-std=c++17'],
    'defines': ['NAPI_CPP_EXCEPTIONS', 'NAPI_VERSION=8'],
    'include_dirs': ['<!(node -p "require(\'node-addon-api\').include_dir")'],
  },
  'targets': [
    {
      'target_name': 'faiss-node',
      'sources': ['src/faiss.cc'],
      'libraries': [
        '-Wl,--whole-archive', '-l:libfaiss.a', '-Wl,--no-whole-archive',
        '-lblas', '-llapack', '-fopenmp',
      ],
    },
    {
      # gyp has no per-file flags, so each instruction set's build of kernels.cc is its own library.
      'target_name': 'facesift_kernels_baseline',
      'type': 'static_library',
      'sources': ['facesift/kernels.cc'],
      'cflags': ['-fPIC'],
      'defines': ['FACESIFT_KERNEL_SET=kernelsBaseline', 'FACESIFT_KERNEL_ISA="baseline"'],
    },
    {
      'target_name': 'facesift_similarity',
      'sources': ['facesift/similarity.cc'],
      'dependencies': ['facesift_kernels_baseline'],
      'libraries': ['-fopenmp'],
      'conditions': [
        ['target_arch=="x64"', {
          'defines': ['FACESIFT_X86_KERNELS'],
          'dependencies': ['facesift_kernels_avx2', 'facesift_kernels_avx512'],
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
          'sources': ['facesift/kernels.cc'],
          'cflags': ['-fPIC', '-mavx2', '-mfma'],
          'defines': ['FACESIFT_KERNEL_SET=kernelsAvx2', 'FACESIFT_KERNEL_ISA="avx2"'],
        },
        {
          'target_name': 'facesift_kernels_avx512',
          'type': 'static_library',
          'sources': ['facesift/kernels.cc'],
          'cflags': ['-fPIC', '-mavx512f', '-mavx512dq', '-mavx512bw', '-mavx512vl', '-mavx2', '-mfma'],
          'defines': ['FACESIFT_KERNEL_SET=kernelsAvx512', 'FACESIFT_KERNEL_ISA="avx512"'],
        },
      ],
    }],
  ],
}
