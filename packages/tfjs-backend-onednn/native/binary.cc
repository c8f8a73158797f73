// Binary elementwise kernels with numpy/tfjs broadcasting, as loops over the output.
// Shapes arrive padded to the output's rank; a broadcast dimension gets stride 0.
#include <algorithm>
#include <cmath>

#include "common.h"

namespace onednn {
namespace {

// Op codes shared with src/kernels/binary.ts.
enum BinaryOp {
  kAdd = 0, kSub, kMul, kDiv, kMaximum, kMinimum, kSquaredDifference,
  kGreater, kGreaterEqual, kLess, kLessEqual, kEqual, kNotEqual, kSquareGrad, kAddRelu
};

// A residual block's tail, relu(a + b), in one pass (NaN stays NaN, as tfjs's Relu). A lambda, not
// a function: a function pointer passed to the loops would be called per element, unvectorized.
constexpr auto AddRelu = [](float x, float y) {
  const float sum = x + y;
  return sum < 0.f ? 0.f : sum;
};

// Chunk loops as separate (not inlined) functions with non-aliasing pointers: inside an
// OpenMP-outlined body GCC 12 doesn't vectorize the lambdas (see eltwise.cc).
template <typename Out, typename F>
__attribute__((noinline)) void ZipChunk(const float* __restrict a, const float* __restrict b, Out* __restrict out,
                                        int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
}
template <typename Out, typename F>
__attribute__((noinline)) void ScalarRightChunk(const float* __restrict a, float s, Out* __restrict out, int64_t n,
                                                F f) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], s);
}
template <typename Out, typename F>
__attribute__((noinline)) void ScalarLeftChunk(float s, const float* __restrict b, Out* __restrict out, int64_t n,
                                               F f) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(s, b[i]);
}

template <typename Out, typename F>
void Broadcast(const float* a, const float* b, Out* out, const std::vector<int64_t>& aShape,
               const std::vector<int64_t>& bShape, const std::vector<int64_t>& outShape, F f) {
  const int rank = static_cast<int>(outShape.size());
  int64_t n = 1;
  for (int64_t d : outShape) n *= d;
  bool sameShape = aShape == outShape && bShape == outShape;
  if (sameShape || rank == 0) {
    Chunks(n, kChunk, [&](int64_t s, int64_t len) { ZipChunk(a + s, b + s, out + s, len, f); });
    return;
  }
  int64_t aSize = 1, bSize = 1;
  for (int i = 0; i < rank; ++i) { aSize *= aShape[i]; bSize *= bShape[i]; }
  if (aSize == n && bSize == 1) {
    Chunks(n, kChunk, [&](int64_t s, int64_t len) { ScalarRightChunk(a + s, b[0], out + s, len, f); });
    return;
  }
  if (bSize == n && aSize == 1) {
    Chunks(n, kChunk, [&](int64_t s, int64_t len) { ScalarLeftChunk(a[0], b + s, out + s, len, f); });
    return;
  }
  // A bias along the last axis (one side full, the other [1, ..., 1, inner]): the short side
  // is tiled to a period that divides the chunk, so the inner loop stays long and vectorized.
  const int64_t inner0 = outShape[rank - 1];
  if ((aSize == n && bSize == inner0 && bShape[rank - 1] == inner0) ||
      (bSize == n && aSize == inner0 && aShape[rank - 1] == inner0)) {
    const bool aFull = aSize == n;
    const float* shortSide = aFull ? b : a;
    const int64_t period = inner0 * std::max<int64_t>(1, 1024 / inner0);
    std::vector<float> tiled(period);
    for (int64_t i = 0; i < period; ++i) tiled[i] = shortSide[i % inner0];
    const float* t = tiled.data();
    Chunks(n, period, [&](int64_t s, int64_t len) {
      if (aFull) ZipChunk(a + s, t, out + s, len, f);
      else ZipChunk(t, b + s, out + s, len, f);
    });
    return;
  }
  // General case: strides of a and b in output coordinates (0 where broadcast).
  std::vector<int64_t> aStride(rank), bStride(rank);
  int64_t as = 1, bs = 1;
  for (int i = rank - 1; i >= 0; --i) {
    aStride[i] = aShape[i] == 1 ? 0 : as;
    bStride[i] = bShape[i] == 1 ? 0 : bs;
    as *= aShape[i];
    bs *= bShape[i];
  }
  const int64_t inner = outShape[rank - 1];
  const int64_t rows = n / inner;
  const int64_t ai = aStride[rank - 1], bi = bStride[rank - 1];
#pragma omp parallel for if (n > kParallelThreshold) schedule(static)
  for (int64_t row = 0; row < rows; ++row) {
    int64_t aOff = 0, bOff = 0, rem = row;
    for (int d = rank - 2; d >= 0; --d) {
      const int64_t idx = rem % outShape[d];
      rem /= outShape[d];
      aOff += idx * aStride[d];
      bOff += idx * bStride[d];
    }
    Out* o = out + row * inner;
    for (int64_t j = 0; j < inner; ++j) o[j] = f(a[aOff + j * ai], b[bOff + j * bi]);
  }
}

template <typename A, typename B, typename O, typename F>
VECTOR_LOOP void ZipTyped(const A* __restrict a, const B* __restrict b, O* __restrict out, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) Store(out, i, f(Load(a, i), Load(b, i)));
}

// Same-shape operands where any of a, b, out is bf16.
template <typename F>
void ZipValues(const Values& a, const Values& b, const Values& out, F f) {
  Typed(a, [&](auto* pa) {
    Typed(b, [&](auto* pb) {
      Typed(out, [&](auto* po) {
        Chunks(out.length, kChunk, [&](int64_t s, int64_t len) { ZipTyped(pa + s, pb + s, po + s, len, f); });
      });
    });
  });
}

// binary(op, a, b, out, aShape, bShape, outShape); comparisons write a Uint8Array. bf16 arrays
// (a mixed-precision activation) come only with equal shapes and an arithmetic op.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(Int(info[0]));
  const Values a = Storage(info[1]), b = Storage(info[2]), out = Storage(info[3]);
  if (a.bf16() || b.bf16() || out.bf16()) {
    switch (op) {
      case kAdd: ZipValues(a, b, out, [](float x, float y) { return x + y; }); break;
      case kSub: ZipValues(a, b, out, [](float x, float y) { return x - y; }); break;
      case kMul: ZipValues(a, b, out, [](float x, float y) { return x * y; }); break;
      case kAddRelu: ZipValues(a, b, out, AddRelu); break;
      default:
        Napi::Error::New(info.Env(), "onednn binary: no bf16 form of op " + std::to_string(op)).ThrowAsJavaScriptException();
    }
    return info.Env().Undefined();
  }
  const std::vector<int64_t> aShape = Ints(info[4]), bShape = Ints(info[5]), outShape = Ints(info[6]);
  auto run = [&](auto f) { Broadcast(a.f32(), b.f32(), out.f32(), aShape, bShape, outShape, f); };
  auto compare = [&](auto f) {
    Broadcast(a.f32(), b.f32(), static_cast<uint8_t*>(out.data), aShape, bShape, outShape, f);
  };
  switch (op) {
    case kAdd: run([](float x, float y) { return x + y; }); break;
    case kSub: run([](float x, float y) { return x - y; }); break;
    case kMul: run([](float x, float y) { return x * y; }); break;
    case kDiv: run([](float x, float y) { return x / y; }); break;
    case kAddRelu: run(AddRelu); break;
    // Math.max / Math.min semantics: NaN if either side is NaN.
    case kMaximum:
      run([](float x, float y) { return (std::isnan(x) || std::isnan(y)) ? NAN : (x > y ? x : y); });
      break;
    case kMinimum:
      run([](float x, float y) { return (std::isnan(x) || std::isnan(y)) ? NAN : (x < y ? x : y); });
      break;
    case kSquaredDifference: run([](float x, float y) { return (x - y) * (x - y); }); break;
    // Square's gradient dy * (x * 2), in tfjs's order of operations.
    case kSquareGrad: run([](float dy, float x) { return dy * (x * 2.f); }); break;
    case kGreater: compare([](float x, float y) -> uint8_t { return x > y; }); break;
    case kGreaterEqual: compare([](float x, float y) -> uint8_t { return x >= y; }); break;
    case kLess: compare([](float x, float y) -> uint8_t { return x < y; }); break;
    case kLessEqual: compare([](float x, float y) -> uint8_t { return x <= y; }); break;
    case kEqual: compare([](float x, float y) -> uint8_t { return x == y; }); break;
    case kNotEqual: compare([](float x, float y) -> uint8_t { return x != y; }); break;
    default:
      Napi::Error::New(info.Env(), "onednn binary: unknown op " + std::to_string(op)).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

}  // namespace

void InitBinary(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
}

}  // namespace onednn
