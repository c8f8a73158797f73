// N-API binding to the MPI collectives imgclass needs: init/finalize, rank/size,
// in-place allreduce of float32, broadcast of bytes, gather of strings, barrier.
// Every call runs on Node's main thread (MPI_THREAD_FUNNELED): collectives block
// the event loop by design, as each rank has nothing else to do until they finish.
#include <dlfcn.h>
#include <mpi.h>
#include <napi.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

bool initialized = false;

// Open MPI's plugins (mca_*.so) are linked against libmpi's symbols without
// naming it; when libmpi arrives through a dlopen'ed addon (RTLD_LOCAL) those
// symbols are invisible to them and MPI_Init fails with "undefined symbol".
// Re-opening libmpi with RTLD_GLOBAL publishes them first.
bool PublishLibmpiSymbols(std::string* error) {
  const char* names[] = {"libmpi.so.40", "libmpi.so"};
  for (const char* name : names) {
    if (dlopen(name, RTLD_NOW | RTLD_GLOBAL) != nullptr) return true;
  }
  const char* why = dlerror();
  *error = why ? why : "dlopen(libmpi) failed";
  return false;
}

std::string MpiErrorText(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, length);
}

bool Check(Napi::Env env, int code, const char* what) {
  if (code == MPI_SUCCESS) return true;
  Napi::Error::New(env, std::string(what) + " failed: " + MpiErrorText(code)).ThrowAsJavaScriptException();
  return false;
}

bool RequireInit(Napi::Env env) {
  if (initialized) return true;
  Napi::Error::New(env, "MPI is not initialized: call init() first").ThrowAsJavaScriptException();
  return false;
}

int Rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int Size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int already = 0;
  MPI_Initialized(&already);
  if (!already) {
    std::string error;
    if (!PublishLibmpiSymbols(&error)) {
      Napi::Error::New(env, "cannot load libmpi: " + error).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    int provided = 0;
    if (!Check(env, MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread")) return env.Undefined();
    // Errors come back as return codes (thrown to JavaScript) instead of aborting the process silently.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  initialized = true;
  Napi::Object out = Napi::Object::New(env);
  out.Set("rank", Rank());
  out.Set("size", Size());
  return out;
}

Napi::Value Finalize(const Napi::CallbackInfo& info) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (initialized && !finalized) Check(info.Env(), MPI_Finalize(), "MPI_Finalize");
  initialized = false;
  return info.Env().Undefined();
}

Napi::Value GetRank(const Napi::CallbackInfo& info) {
  if (!RequireInit(info.Env())) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), Rank());
}

Napi::Value GetSize(const Napi::CallbackInfo& info) {
  if (!RequireInit(info.Env())) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), Size());
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string version(text, length);
  while (!version.empty() && (version.back() == '\n' || version.back() == '\0')) version.pop_back();
  return Napi::String::New(info.Env(), version);
}

// allreduceFloat32(buffer: Float32Array, average: boolean): sums (or averages) over all ranks, in place.
Napi::Value AllreduceFloat32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireInit(env)) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    Napi::TypeError::New(env, "allreduceFloat32 needs a Float32Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto buffer = info[0].As<Napi::Float32Array>();
  bool average = info.Length() > 1 && info[1].ToBoolean().Value();
  float* data = buffer.Data();
  size_t count = buffer.ElementLength();
  // MPI counts are int: reduce in pieces below 2^31 elements.
  const size_t chunk = size_t(1) << 30;
  for (size_t offset = 0; offset < count; offset += chunk) {
    int n = static_cast<int>(std::min(chunk, count - offset));
    if (!Check(env, MPI_Allreduce(MPI_IN_PLACE, data + offset, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce")) {
      return env.Undefined();
    }
  }
  if (average) {
    const float scale = 1.0f / static_cast<float>(Size());
    for (size_t i = 0; i < count; ++i) data[i] *= scale;
  }
  return env.Undefined();
}

// broadcast(bytes: TypedArray, root: number): root's bytes replace every other rank's, in place.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireInit(env)) return env.Undefined();
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "broadcast needs a typed array and a root rank").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto array = info[0].As<Napi::TypedArray>();
  auto* bytes = static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  size_t length = array.ByteLength();
  int root = info[1].As<Napi::Number>().Int32Value();
  // MPI counts are int: pieces below 2^31 bytes (one call, of 0 bytes, for an empty array: every rank still takes part).
  const size_t chunk = size_t(1) << 30;
  size_t offset = 0;
  do {
    int n = static_cast<int>(std::min(chunk, length - offset));
    if (!Check(env, MPI_Bcast(bytes + offset, n, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast")) return env.Undefined();
    offset += n;
  } while (offset < length);
  return env.Undefined();
}

// gatherStrings(text: string, root: number): string[] of every rank's text at root (rank order), null elsewhere.
Napi::Value GatherStrings(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireInit(env)) return env.Undefined();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "gatherStrings needs a string and a root rank").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string text = info[0].As<Napi::String>().Utf8Value();
  int root = info[1].As<Napi::Number>().Int32Value();
  int size = Size();
  bool isRoot = Rank() == root;
  int length = static_cast<int>(text.size());
  std::vector<int> lengths(isRoot ? size : 0);
  if (!Check(env, MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, root, MPI_COMM_WORLD), "MPI_Gather")) {
    return env.Undefined();
  }
  std::vector<int> offsets(isRoot ? size : 0);
  size_t total = 0;
  for (int i = 0; i < (isRoot ? size : 0); ++i) {
    offsets[i] = static_cast<int>(total);
    total += lengths[i];
  }
  std::vector<char> all(total + 1);
  if (!Check(env, MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, root, MPI_COMM_WORLD),
             "MPI_Gatherv")) {
    return env.Undefined();
  }
  if (!isRoot) return env.Null();
  Napi::Array out = Napi::Array::New(env, size);
  for (int i = 0; i < size; ++i) out.Set(i, Napi::String::New(env, all.data() + offsets[i], lengths[i]));
  return out;
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireInit(env)) return env.Undefined();
  Check(env, MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
  return env.Undefined();
}

// abort(code): ends every rank of the job (MPI_Abort), for a rank that cannot go on alone.
Napi::Value Abort(const Napi::CallbackInfo& info) {
  int code = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 1;
  if (initialized) MPI_Abort(MPI_COMM_WORLD, code);
  return info.Env().Undefined();
}

Napi::Object Register(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("finalize", Napi::Function::New(env, Finalize));
  exports.Set("rank", Napi::Function::New(env, GetRank));
  exports.Set("size", Napi::Function::New(env, GetSize));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("allreduceFloat32", Napi::Function::New(env, AllreduceFloat32));
  exports.Set("broadcast", Napi::Function::New(env, Broadcast));
  exports.Set("gatherStrings", Napi::Function::New(env, GatherStrings));
  exports.Set("barrier", Napi::Function::New(env, Barrier));
  exports.Set("abort", Napi::Function::New(env, Abort));
  return exports;
}

}  // namespace

NODE_API_MODULE(imgclass_mpi, Register)
