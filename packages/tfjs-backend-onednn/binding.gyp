{
  "targets": [
    {
      "target_name": "tfjs_onednn",
      "sources": [
        "native/addon.cc", "native/conv.cc", "native/pool.cc", "native/matmul.cc",
        "native/eltwise.cc", "native/binary.cc", "native/reduce.cc", "native/norm.cc", "native/optimizer.cc", "native/tile.cc", "native/bf16.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-fopenmp", "-Wno-missing-field-initializers"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
