{
  "targets": [
    {
      "target_name": "imgclass_native",
      "sources": ["native/jpeg_decode.cc", "native/augment.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"],
      "libraries": ["-ljpeg"]
    }
  ]
}
