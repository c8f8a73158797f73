// Unary elementwise kernels (activations, their gradients, simple math) as plain loops:
// memory-bound work that the compiler vectorizes and OpenMP splits over the cores.
// NaN propagates as in tfjs (comparisons written so that NaN falls through to x).
#include <algorithm>
#include <cmath>

#include "common.h"

namespace onednn {
namespace {

// Op codes shared with src/kernels/unary.ts.
enum UnaryOp {
  kReluOp = 0, kEluOp, kLeakyReluOp, kSigmoidOp, kTanhOp, kStepOp, kNegOp, kSquareOp,
  kSqrtOp, kRsqrtOp, kExpOp, kLogOp, kAbsOp, kClipOp, kReciprocalOp, kSoftplusOp
};

// One chunk as a plain loop: a separate (not inlined) function, so that the captured
// constants are locals and x/y are known not to alias — both needed for the compiler to
// vectorize the selects, which it won't do inside an OpenMP-outlined body. X and Y: float, or
// uint16_t for bf16.
template <typename X, typename Y, typename F>
VECTOR_LOOP void MapChunk(const X* __restrict x, Y* __restrict y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) Store(y, i, f(Load(x, i)));
}

template <typename F>
void Map(const Values& x, const Values& y, int64_t n, F f) {
  Typed(x, [&](auto* in) {
    Typed(y, [&](auto* out) {
      Chunks(n, kChunk, [&](int64_t s, int64_t len) { MapChunk(in + s, out + s, len, f); });
    });
  });
}

// unary(op, x, out, alpha, beta)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(Int(info[0]));
  const Values x = Storage(info[1]), y = Storage(info[2]);
  const int64_t n = y.length;
  const float alpha = Float(info[3]);
  const float beta = Float(info[4]);
  switch (op) {
    case kReluOp: Map(x, y, n, [](float v) { return v < 0.f ? 0.f : v; }); break;
    case kEluOp: Map(x, y, n, [](float v) { return v < 0.f ? std::expm1(v) : v; }); break;
    case kLeakyReluOp: Map(x, y, n, [alpha](float v) { const float scaled = alpha * v; return v < 0.f ? scaled : v; }); break;
    case kSigmoidOp: Map(x, y, n, [](float v) { return 1.f / (1.f + std::exp(-v)); }); break;
    case kTanhOp: Map(x, y, n, [](float v) { return std::tanh(v); }); break;
    case kStepOp: Map(x, y, n, [alpha](float v) { const float s = v > 0.f ? 1.f : alpha; return std::isnan(v) ? v : s; }); break;
    case kNegOp: Map(x, y, n, [](float v) { return -v; }); break;
    case kSquareOp: Map(x, y, n, [](float v) { return v * v; }); break;
    case kSqrtOp: Map(x, y, n, [](float v) { return std::sqrt(v); }); break;
    case kRsqrtOp: Map(x, y, n, [](float v) { return 1.f / std::sqrt(v); }); break;
    case kExpOp: Map(x, y, n, [](float v) { return std::exp(v); }); break;
    case kLogOp: Map(x, y, n, [](float v) { return std::log(v); }); break;
    case kAbsOp: Map(x, y, n, [](float v) { return std::fabs(v); }); break;
    case kClipOp:
      Map(x, y, n, [alpha, beta](float v) { return v < alpha ? alpha : (v > beta ? beta : v); });
      break;
    case kReciprocalOp: Map(x, y, n, [](float v) { return 1.f / v; }); break;
    default:
      Napi::Error::New(info.Env(), "onednn unary: unknown op " + std::to_string(op)).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

// eluGrad(dy, y, out): the gradient of ELU from its output, as tfjs's EluGrad.
Napi::Value EluGrad(const Napi::CallbackInfo& info) {
  const float* dy = F32(info[0]);
  const float* y = F32(info[1]);
  float* out = F32(info[2]);
  const int64_t n = static_cast<int64_t>(Length(info[2]));
#pragma omp parallel for simd if (n > kParallelThreshold) schedule(static)
  for (int64_t i = 0; i < n; ++i) out[i] = y[i] >= 0.f ? dy[i] : dy[i] * (y[i] + 1.f);
  return info.Env().Undefined();
}

template <typename D, typename X, typename O>
VECTOR_LOOP void ReluGradChunk(const D* __restrict dy, const X* __restrict x, O* __restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float xi = Load(x, i);
    const float step = xi > 0.f ? 1.f : 0.f;
    Store(dx, i, Load(dy, i) * (std::isnan(xi) ? xi : step));
  }
}

__attribute__((noinline)) void ClipGradChunk(const float* __restrict dy, const float* __restrict x,
                                             float* __restrict dx, int64_t n, float lo, float hi) {
  for (int64_t i = 0; i < n; ++i) dx[i] = (x[i] >= lo && x[i] <= hi) ? dy[i] : 0.f;
}

// reluGrad(dy, x, dx): dy where x > 0, else 0 (tfjs: dy * step(x); NaN in x gives NaN). Each may be bf16.
Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  const Values dy = Storage(info[0]), x = Storage(info[1]), dx = Storage(info[2]);
  const int64_t n = dx.length;
  Typed(dy, [&](auto* d) {
    Typed(x, [&](auto* in) {
      Typed(dx, [&](auto* out) {
        Chunks(n, kChunk, [&](int64_t s, int64_t len) { ReluGradChunk(d + s, in + s, out + s, len); });
      });
    });
  });
  return info.Env().Undefined();
}

// clipGrad(dy, x, dx, lo, hi): dy where lo <= x <= hi, else 0 (tfjs: where(x >= lo && x <= hi, dy, 0)).
Napi::Value ClipGrad(const Napi::CallbackInfo& info) {
  const float* dy = F32(info[0]);
  const float* x = F32(info[1]);
  float* dx = F32(info[2]);
  const float lo = Float(info[3]), hi = Float(info[4]);
  const int64_t n = static_cast<int64_t>(Length(info[2]));
  Chunks(n, kChunk, [&](int64_t s, int64_t len) { ClipGradChunk(dy + s, x + s, dx + s, len, lo, hi); });
  return info.Env().Undefined();
}

}  // namespace

void InitEltwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("eluGrad", Napi::Function::New(env, EluGrad));
  exports.Set("reluGrad", Napi::Function::New(env, ReluGrad));
  exports.Set("clipGrad", Napi::Function::New(env, ClipGrad));
}

}  // namespace onednn
