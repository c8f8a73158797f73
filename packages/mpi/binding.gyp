{
  "targets": [
    {
      "target_name": "imgclass_mpi",
      "sources": ["native/mpi_addon.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(pkg-config --cflags-only-I ompi-c | sed 's/-I//g')"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "OMPI_SKIP_MPICXX=1"],
      "cflags_cc": ["-std=c++17", "-O2"],
      "libraries": ["<!@(pkg-config --libs ompi-c)", "-ldl"]
    }
  ]
}
