# Builds faiss-node from its own installed source against Debian's libfaiss. scripts/build-faiss.sh
# copies this file into node_modules/faiss-node/ (node-gyp only reads ./binding.gyp); the addon lands
# in node_modules/faiss-node/build/Release/, where require('faiss-node') finds it.
{
  'targets': [
    {
      'target_name': 'faiss-node',
      'sources': ['src/faiss.cc'],
      'cflags!': ['-fno-exceptions', '-fno-rtti'],
      'cflags_cc!': ['-fno-exceptions', '-fno-rtti', '-std=gnu++17'],
      'cflags': ['-fopenmp', '-fexceptions', '-frtti'],
      'cflags_cc': ['-std=c++17'],
      'defines': ['NAPI_CPP_EXCEPTIONS'],
      'include_dirs': ['<!(node -p "require(\'node-addon-api\').include_dir")'],
      'libraries': [
        '-Wl,--whole-archive', '-l:libfaiss.a', '-Wl,--no-whole-archive',
        '-lblas', '-llapack', '-fopenmp',
      ],
    },
  ],
}
