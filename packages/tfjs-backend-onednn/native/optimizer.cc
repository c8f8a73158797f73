// Fused optimizer updates: one pass over parameters, gradient and slots, in place, instead of
// the ~10 elementwise kernels (each a full pass over 14.6 M LeNet-5 parameters) that the stock
// tfjs optimizers run. The arithmetic follows tfjs's formulas in the same order.
#include <cmath>

#include "common.h"

namespace onednn {
namespace {

constexpr int64_t kParallelThreshold = 1 << 14;

// True when every buffer argument has the parameter's length; else throws a JS error (the
// TypeScript side never calls with mismatched slots, see src/optimizers/slots.ts's canFuse).
bool SameLengths(const Napi::CallbackInfo& info, const char* name, std::initializer_list<int> buffers) {
  const size_t n = Length(info[0]);
  for (int b : buffers) {
    if (Length(info[b]) != n) {
      Napi::Error::New(info.Env(), std::string("onednn ") + name + ": slot or gradient length differs from the parameter's")
          .ThrowAsJavaScriptException();
      return false;
    }
  }
  return true;
}

// adam(param, m, v, grad, lr, beta1, beta2, epsilon, 1 - beta1^t, 1 - beta2^t)
Napi::Value Adam(const Napi::CallbackInfo& info) {
  if (!SameLengths(info, "adam", {1, 2, 3})) return info.Env().Undefined();
  float* p = F32(info[0]);
  float* m = F32(info[1]);
  float* v = F32(info[2]);
  const float* g = F32(info[3]);
  const int64_t n = static_cast<int64_t>(Length(info[0]));
  const float lr = Float(info[4]), b1 = Float(info[5]), b2 = Float(info[6]), eps = Float(info[7]);
  const float c1 = Float(info[8]), c2 = Float(info[9]);
  const float oneMinusB1 = 1.f - b1, oneMinusB2 = 1.f - b2;
#pragma omp parallel for simd if (n > kParallelThreshold) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float mi = m[i] * b1 + g[i] * oneMinusB1;
    const float vi = v[i] * b2 + (g[i] * g[i]) * oneMinusB2;
    m[i] = mi;
    v[i] = vi;
    p[i] = ((mi / c1) / (std::sqrt(vi / c2) + eps)) * -lr + p[i];
  }
  return info.Env().Undefined();
}

// sgd(param, grad, lr)
Napi::Value Sgd(const Napi::CallbackInfo& info) {
  if (!SameLengths(info, "sgd", {1})) return info.Env().Undefined();
  float* p = F32(info[0]);
  const float* g = F32(info[1]);
  const int64_t n = static_cast<int64_t>(Length(info[0]));
  const float c = -Float(info[2]);
#pragma omp parallel for simd if (n > kParallelThreshold) schedule(static)
  for (int64_t i = 0; i < n; ++i) p[i] = c * g[i] + p[i];
  return info.Env().Undefined();
}

// momentum(param, accumulation, grad, lr, momentum, useNesterov)
Napi::Value Momentum(const Napi::CallbackInfo& info) {
  if (!SameLengths(info, "momentum", {1, 2})) return info.Env().Undefined();
  float* p = F32(info[0]);
  float* a = F32(info[1]);
  const float* g = F32(info[2]);
  const int64_t n = static_cast<int64_t>(Length(info[0]));
  const float c = -Float(info[3]), mom = Float(info[4]);
  const bool nesterov = info[5].As<Napi::Boolean>();
#pragma omp parallel for simd if (n > kParallelThreshold) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float ai = mom * a[i] + g[i];
    a[i] = ai;
    p[i] = nesterov ? c * (g[i] + ai * mom) + p[i] : c * ai + p[i];
  }
  return info.Env().Undefined();
}

// rmsprop(param, meanSquare, moment, grad, lr, decay, momentum, epsilon): the non-centered form.
Napi::Value RmsProp(const Napi::CallbackInfo& info) {
  if (!SameLengths(info, "rmsprop", {1, 2, 3})) return info.Env().Undefined();
  float* p = F32(info[0]);
  float* ms = F32(info[1]);
  float* mo = F32(info[2]);
  const float* g = F32(info[3]);
  const int64_t n = static_cast<int64_t>(Length(info[0]));
  const float lr = Float(info[4]), decay = Float(info[5]), mom = Float(info[6]), eps = Float(info[7]);
  const float oneMinusDecay = 1.f - decay;
#pragma omp parallel for simd if (n > kParallelThreshold) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float msi = ms[i] * decay + (g[i] * g[i]) * oneMinusDecay;
    const float moi = mo[i] * mom + (g[i] * lr) / std::sqrt(msi + eps);
    ms[i] = msi;
    mo[i] = moi;
    p[i] = p[i] - moi;
  }
  return info.Env().Undefined();
}

}  // namespace

void InitOptimizer(Napi::Env env, Napi::Object exports) {
  exports.Set("adam", Napi::Function::New(env, Adam));
  exports.Set("sgd", Napi::Function::New(env, Sgd));
  exports.Set("momentum", Napi::Function::New(env, Momentum));
  exports.Set("rmsprop", Napi::Function::New(env, RmsProp));
}

}  // namespace onednn
