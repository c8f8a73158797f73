// Entry point of the addon: library introspection, threads, and each kernel family's functions.
#include <omp.h>
#include <xmmintrin.h>
#include <pmmintrin.h>

#include "common.h"

#include <chrono>
#include <cstdlib>
#include <new>

namespace onednn {

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& Stream() {
  static dnnl::stream stream(Engine());
  return stream;
}

static std::vector<std::string>& Impls() {
  static std::vector<std::string> impls;
  return impls;
}

void NoteImpl(const std::string& kernel, const char* impl) {
  Impls().push_back(kernel + ":" + impl);
}

std::vector<int64_t> Ints(const Napi::Value& v) {
  std::vector<int64_t> out;
  if (v.IsTypedArray()) {
    auto a = v.As<Napi::Int32Array>();
    out.assign(a.Data(), a.Data() + a.ElementLength());
  } else {
    auto a = v.As<Napi::Array>();
    out.reserve(a.Length());
    for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(a.Get(i).As<Napi::Number>().Int64Value());
  }
  return out;
}

std::string Key(const std::vector<int64_t>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t));
}

bool AppendActivation(dnnl::post_ops& ops, int activation, float alpha) {
  using a = dnnl::algorithm;
  switch (activation) {
    case kLinear: return true;
    case kRelu: ops.append_eltwise(1.f, a::eltwise_relu, 0.f, 0.f); return true;
    case kRelu6: ops.append_eltwise(1.f, a::eltwise_clip_v2, 0.f, 6.f); return true;
    case kElu: ops.append_eltwise(1.f, a::eltwise_elu, 1.f, 0.f); return true;
    case kLeakyRelu: ops.append_eltwise(1.f, a::eltwise_relu, alpha, 0.f); return true;
    case kSigmoid: ops.append_eltwise(1.f, a::eltwise_logistic, 0.f, 0.f); return true;
    case kTanh: ops.append_eltwise(1.f, a::eltwise_tanh, 0.f, 0.f); return true;
  }
  return false;
}

static bool bf16Mode = false;
bool Bf16() { return bf16Mode; }

ToBf16::ToBf16(const memory::dims& dims, memory::format_tag layout, int slot)
    : bf16(dims, dt::bf16, layout), slot(slot) {
  const memory::desc f32Desc(dims, dt::f32, layout);
  prim = dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), f32Desc, Engine(), bf16));
}

namespace {
// The two conversion buffers, grown to the largest activation converted so far.
struct ConversionBuffer {
  void* data = nullptr;
  size_t bytes = 0;
  // What the buffer holds: the token of the tensor last converted into it (0: unnamed), and its layout.
  uint64_t token = 0;
  memory::desc desc;
  void* Reserve(size_t need) {
    if (need > bytes) {
      std::free(data);
      bytes = (need + 4095) / 4096 * 4096;
      data = std::aligned_alloc(4096, bytes);
      if (data == nullptr) throw std::bad_alloc();
    }
    return data;
  }
};
ConversionBuffer conversionBuffers[2];
}  // namespace

memory ToBf16::operator()(const memory& f32, uint64_t token) const {
  if (!prim || f32.get_desc().data_type() == dt::bf16) return f32;
  ConversionBuffer& buffer = conversionBuffers[slot];
  if (token != 0 && buffer.token == token && buffer.desc == bf16) return memory(bf16, Engine(), buffer.data);
  memory converted(bf16, Engine(), buffer.Reserve(bf16.get_size()));
  Run(prim, {{DNNL_ARG_FROM, f32}, {DNNL_ARG_TO, converted}});
  buffer.token = token;
  buffer.desc = bf16;
  return converted;
}

static Napi::Value SetBf16(const Napi::CallbackInfo& info) {
  bf16Mode = info[0].ToBoolean().Value();
  return info.Env().Undefined();
}

static Napi::Value GetBf16(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), bf16Mode);
}

// Time inside oneDNN's primitives (execute and wait), summed while a kernel profile is on: the
// part of a step that is oneDNN's own, to set beside PyTorch's (whose DNNL_VERBOSE times the same
// primitives). Off, it costs one branch per primitive.
static bool timePrimitives = false;
static double primitiveMs = 0;
static int64_t primitiveCalls = 0;

void Run(const dnnl::primitive& p, const std::unordered_map<int, memory>& args) {
  const auto start = timePrimitives ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  p.execute(Stream(), args);
  Stream().wait();
  if (!timePrimitives) return;
  primitiveMs += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  primitiveCalls++;
}

// timePrimitives(on) -> [ms, calls] summed since the timer was last switched on; switching it on restarts the sums.
static Napi::Value TimePrimitives(const Napi::CallbackInfo& info) {
  Napi::Array sums = Napi::Array::New(info.Env(), 2);
  sums.Set(0u, Napi::Number::New(info.Env(), primitiveMs));
  sums.Set(1u, Napi::Number::New(info.Env(), static_cast<double>(primitiveCalls)));
  timePrimitives = info[0].ToBoolean().Value();
  if (timePrimitives) {
    primitiveMs = 0;
    primitiveCalls = 0;
  }
  return sums;
}

void ThrowError(Napi::Env env, const char* kernel, const dnnl::error& e) {
  Napi::Error::New(env, std::string("onednn ") + kernel + ": " + e.what()).ThrowAsJavaScriptException();
}

static const char* IsaName(dnnl::cpu_isa isa) {
  using i = dnnl::cpu_isa;
  switch (isa) {
    case i::sse41: return "sse41";
    case i::avx: return "avx";
    case i::avx2: return "avx2";
    case i::avx512_mic: return "avx512_mic";
    case i::avx512_mic_4ops: return "avx512_mic_4ops";
    case i::avx512_core: return "avx512_core";
    case i::avx512_core_vnni: return "avx512_core_vnni";
    case i::avx512_core_bf16: return "avx512_core_bf16";
    case i::avx512_core_amx: return "avx512_core_amx";
    case i::avx2_vnni: return "avx2_vnni";
    default: return "any";
  }
}

// Denormals are flushed to zero in every worker thread, as TensorFlow does: they are
// 100x slower and below float precision for anything a network computes.
static void FlushDenormals() {
#pragma omp parallel
  {
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
  }
}

static Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  return Napi::String::New(info.Env(), std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                                           std::to_string(v->patch));
}

static Napi::Value Isa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), IsaName(dnnl::get_effective_cpu_isa()));
}

static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  omp_set_num_threads(static_cast<int>(Int(info[0])));
  FlushDenormals();
  return info.Env().Undefined();
}

static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

static Napi::Value ImplNames(const Napi::CallbackInfo& info) {
  auto arr = Napi::Array::New(info.Env(), Impls().size());
  for (size_t i = 0; i < Impls().size(); ++i) arr.Set(i, Napi::String::New(info.Env(), Impls()[i]));
  return arr;
}

}  // namespace onednn

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace onednn;
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("isa", Napi::Function::New(env, Isa));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("implNames", Napi::Function::New(env, ImplNames));
  exports.Set("setBf16", Napi::Function::New(env, SetBf16));
  exports.Set("getBf16", Napi::Function::New(env, GetBf16));
  exports.Set("timePrimitives", Napi::Function::New(env, TimePrimitives));
  InitConv(env, exports);
  InitPool(env, exports);
  InitMatmul(env, exports);
  InitEltwise(env, exports);
  InitBinary(env, exports);
  InitReduce(env, exports);
  InitNorm(env, exports);
  InitOptimizer(env, exports);
  InitTile(env, exports);
  InitBf16(env, exports);
  return exports;
}

NODE_API_MODULE(tfjs_onednn, Init)
