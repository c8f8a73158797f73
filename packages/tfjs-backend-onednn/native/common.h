// Shared pieces of the native kernels: the oneDNN engine and stream, argument helpers,
// and the primitive cache (primitives are created once per shape and reused).
#pragma once
#include <napi.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace onednn {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& Engine();
dnnl::stream& Stream();

// Records the implementation name of a newly created primitive (for tests that reject "ref").
void NoteImpl(const std::string& kernel, const char* impl);

inline float* F32(const Napi::Value& v) {
  return v.As<Napi::Float32Array>().Data();
}
// A float32 tensor's values as the framework holds them: a Float32Array, or in mixed precision a
// Uint16Array of bf16 (activations handed between kernels that read bf16; src/activation_storage.ts).
struct Values {
  void* data;
  dt type;
  int64_t length;
  bool bf16() const { return type == dt::bf16; }
  float* f32() const { return static_cast<float*>(data); }
  uint16_t* bits() const { return static_cast<uint16_t*>(data); }
};
Values Storage(const Napi::Value& v);

// Hot loops, compiled for AVX-512 and AVX2 as well as baseline x86-64 (the addon's target); the
// loader picks the CPU's (GCC function multiversioning).
#define VECTOR_LOOP __attribute__((target_clones("arch=x86-64-v4", "avx2", "default"), noinline))

// Element access in loops over f32 or bf16 data (templates over the pointer type). Widening is
// exact; narrowing rounds to nearest even as oneDNN's reorders do, NaN staying NaN. Converting
// in the loop that computes, rather than through a float buffer, is what makes bf16 pay: the
// extra passes over a buffer made bf16 ReLU twice as slow as f32's.
inline float Load(const float* p, int64_t i) { return p[i]; }
inline float Load(const uint16_t* p, int64_t i) {
  const uint32_t bits = static_cast<uint32_t>(p[i]) << 16;
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}
inline void Store(float* p, int64_t i, float v) { p[i] = v; }
inline void Store(uint16_t* p, int64_t i, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
  const bool nan = (bits & 0x7fffffffu) > 0x7f800000u;
  p[i] = static_cast<uint16_t>(nan ? (bits >> 16) | 0x40u : rounded);
}

// Per-channel sums over the rows of channels-last data: `sums` float accumulators of length c
// per block of rows (vectorized across channels), added into double per thread and then in
// thread order. `block(firstRow, rows, accumulators)` accumulates one block.
template <typename Block>
std::vector<double> ChannelSums(int64_t rows, int64_t c, int sums, Block block) {
  // Rows per float accumulation: short enough that float sums of O(1) values keep ~1e-6.
  const int64_t kBlockRows = 64;
  const int threads = omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(threads) * sums * c, 0.0);
#pragma omp parallel
  {
    double* mine = partial.data() + static_cast<size_t>(omp_get_thread_num()) * sums * c;
    std::vector<float> acc(static_cast<size_t>(sums) * c);
#pragma omp for schedule(static)
    for (int64_t first = 0; first < rows; first += kBlockRows) {
      std::fill(acc.begin(), acc.end(), 0.f);
      block(first, std::min(kBlockRows, rows - first), acc.data());
      for (int64_t i = 0; i < sums * c; ++i) mine[i] += acc[i];
    }
  }
  std::vector<double> total(static_cast<size_t>(sums) * c, 0.0);
  for (int t = 0; t < threads; ++t) {
    const double* p = partial.data() + static_cast<size_t>(t) * sums * c;
    for (int64_t i = 0; i < sums * c; ++i) total[i] += p[i];
  }
  return total;
}

// Elementwise loops run in chunks of kChunk elements, over the threads above kParallelThreshold.
constexpr int64_t kChunk = 1 << 14;
constexpr int64_t kParallelThreshold = 1 << 15;

// Runs body(start, length) over chunks of [0, n), in parallel when n is large. The body calls a
// separate (not inlined) loop function: inside an OpenMP-outlined body GCC doesn't vectorize.
template <typename Body>
void Chunks(int64_t n, int64_t chunk, Body body) {
#pragma omp parallel for if (n > kParallelThreshold) schedule(static)
  for (int64_t start = 0; start < n; start += chunk) body(start, std::min(chunk, n - start));
}

// Calls f with v's data as a float* or a uint16_t* (bf16).
template <typename F>
void Typed(const Values& v, F f) {
  if (v.bf16()) {
    f(v.bits());
  } else {
    f(v.f32());
  }
}

inline size_t Length(const Napi::Value& v) {
  return v.As<Napi::TypedArray>().ElementLength();
}
inline int64_t Int(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }
inline float Float(const Napi::Value& v) { return v.As<Napi::Number>().FloatValue(); }

// Reads a JS array (or Int32Array) of integers.
std::vector<int64_t> Ints(const Napi::Value& v);

// A cache key from integers: shapes, strides, paddings and attribute codes.
std::string Key(const std::vector<int64_t>& values);

// Primitive cache: one map per kernel family, keyed by Key(...).
template <typename Entry>
class Cache {
 public:
  template <typename Make>
  Entry& Get(const std::string& key, Make make) {
    auto it = entries_.find(key);
    if (it != entries_.end()) return *it->second;
    auto entry = std::make_unique<Entry>(make());
    Entry& ref = *entry;
    entries_.emplace(key, std::move(entry));
    return ref;
  }

 private:
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
};

// Activation codes shared with the TypeScript side (src/kernels/activation_codes.ts).
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kLeakyRelu = 4, kSigmoid = 5, kTanh = 6 };

// Appends `activation` as an eltwise post-op; returns false for codes oneDNN can't fuse.
bool AppendActivation(dnnl::post_ops& ops, int activation, float alpha);

// Wraps a JS-owned buffer as a oneDNN memory without copying.
inline memory Wrap(const memory::desc& md, void* data) { return memory(md, Engine(), data); }
inline memory Wrap(const memory::desc& md, const Values& v) { return memory(md, Engine(), v.data); }

// Mixed precision: when on, convolutions compute in bf16 (inputs rounded to bf16, f32
// accumulation and f32 outputs); tensors and weights the framework sees stay f32.
bool Bf16();

// Converts f32 activations to bf16 before a primitive that reads bf16. The bf16 copy lives in
// one of two buffers shared by all primitives (`slot` 0 for a source, 1 for a gradient): it is
// read only during the primitive's call, and no primitive reads more than two converted inputs.
struct ToBf16 {
  memory::desc bf16;
  dnnl::reorder prim;
  int slot = 0;
  ToBf16() = default;
  ToBf16(const memory::dims& dims, memory::format_tag layout, int slot);
  // Returns `f32` itself when the primitive reads f32 (no conversion set up) or it is bf16 already
  // (an activation a bf16 kernel wrote). A nonzero `token`
  // names the tensor being converted: when the slot still holds that tensor's copy (the same
  // gradient, read by a convolution's backward-data and then its backward-weights), it is reused.
  dnnl::memory operator()(const dnnl::memory& f32, uint64_t token = 0) const;
};

// Runs a primitive synchronously on the shared stream.
void Run(const dnnl::primitive& p, const std::unordered_map<int, memory>& args);

// Registration hooks of each kernel family (one file each).
void InitConv(Napi::Env env, Napi::Object exports);
void InitPool(Napi::Env env, Napi::Object exports);
void InitMatmul(Napi::Env env, Napi::Object exports);
void InitEltwise(Napi::Env env, Napi::Object exports);
void InitBinary(Napi::Env env, Napi::Object exports);
void InitReduce(Napi::Env env, Napi::Object exports);
void InitNorm(Napi::Env env, Napi::Object exports);
void InitOptimizer(Napi::Env env, Napi::Object exports);
void InitTile(Napi::Env env, Napi::Object exports);
void InitBf16(Napi::Env env, Napi::Object exports);

// Converts a dnnl::error into a JS exception; kernels return undefined after it.
void ThrowError(Napi::Env env, const char* kernel, const dnnl::error& e);

}  // namespace onednn
