// Normalizations: FusedBatchNorm (given mean/variance) and its gradients, batch moments, Softmax,
// LRN and LRN's gradient.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "common.h"

namespace onednn {
namespace {

using namespace dnnl;

// out = min(max(x mul[ch] + add[ch], floor), ceiling), row by row (X, O: float, or uint16_t for bf16,
// as in every row loop here). floor is -inf, or 0 for a ReLU after the normalization; ceiling +inf,
// or a capped ReLU's cap (6 for ReLU6). NaN stays NaN, as in tfjs's Relu and ClipByValue.
template <typename X, typename O>
VECTOR_LOOP void ScaleShiftRows(const X* __restrict x, const float* __restrict mul, const float* __restrict add,
                                float floor, float ceiling, int64_t rows, int64_t c, O* __restrict out) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t ch = 0; ch < c; ++ch) {
      const float v = Load(x, r * c + ch) * mul[ch] + add[ch];
      Store(out, r * c + ch, v < floor ? floor : (v > ceiling ? ceiling : v));
    }
}

// batchNorm(x, mean, variance, offset|null, scale|null, out, channels, epsilon, relu?, reluMax?)
// Per-channel parameters (length = channels, the last axis) or scalars (length 1); x and out
// may be bf16 (both or neither). With relu true the output is relu(batchNorm(x)), capped at
// reluMax when one is given (min(max(·, 0), reluMax): a ReLU layer with maxValue, ReLU6).
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  const Values x = Storage(info[0]), out = Storage(info[5]);
  const float* mean = F32(info[1]);
  const float* variance = F32(info[2]);
  const bool hasOffset = info[3].IsTypedArray(), hasScale = info[4].IsTypedArray();
  const int64_t c = Int(info[6]);
  const float epsilon = Float(info[7]);
  const bool relu = info.Length() > 8 && info[8].ToBoolean();
  const float floor = relu ? 0.f : -INFINITY;
  const float ceiling = relu && info.Length() > 9 && info[9].IsNumber() ? Float(info[9]) : INFINITY;
  const int64_t n = out.length;
  auto at = [c](const Napi::Value& v, int64_t ch) {
    auto a = v.As<Napi::Float32Array>();
    return a.ElementLength() == 1 ? a.Data()[0] : a.Data()[ch];
  };
  // Folded into out = x * mul + add per channel.
  std::vector<float> mul(c), add(c);
  for (int64_t ch = 0; ch < c; ++ch) {
    const float scale = hasScale ? at(info[4], ch) : 1.f;
    const float offset = hasOffset ? at(info[3], ch) : 0.f;
    const float m = Length(info[1]) == 1 ? mean[0] : mean[ch];
    const float v = Length(info[2]) == 1 ? variance[0] : variance[ch];
    mul[ch] = scale / std::sqrt(v + epsilon);
    add[ch] = offset - m * mul[ch];
  }
  const int64_t rows = n / c;
  const int64_t blockRows = std::max<int64_t>(1, (1 << 14) / c);
  Typed(x, [&](auto* in) {
    Typed(out, [&](auto* o) {
#pragma omp parallel for if (n > (1 << 15)) schedule(static)
      for (int64_t first = 0; first < rows; first += blockRows) {
        ScaleShiftRows(in + first * c, mul.data(), add.data(), floor, ceiling, std::min(blockRows, rows - first), c,
                       o + first * c);
      }
    });
  });
  return info.Env().Undefined();
}

// softmax(logits, out, rows, cols): along the last axis, max-subtracted; a NaN anywhere in a
// row makes the whole row NaN, as in tfjs (oneDNN's softmax drops it).
Napi::Value SoftmaxForward(const Napi::CallbackInfo& info) {
  const float* x = F32(info[0]);
  float* y = F32(info[1]);
  const int64_t rows = Int(info[2]), cols = Int(info[3]);
#pragma omp parallel for if (rows * cols > (1 << 15)) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float max = -INFINITY;
    bool nan = false;
    for (int64_t c = 0; c < cols; ++c) {
      nan = nan || std::isnan(xr[c]);
      max = xr[c] > max ? xr[c] : max;
    }
    if (nan) {
      for (int64_t c = 0; c < cols; ++c) yr[c] = NAN;
      continue;
    }
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += (yr[c] = std::exp(xr[c] - max));
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t c = 0; c < cols; ++c) yr[c] *= inv;
  }
  return info.Env().Undefined();
}

// LRN across channels. tfjs: x / (bias + alpha * sum_{|c'-c|<=r} x^2)^beta;
// oneDNN divides alpha by the window size n = 2r + 1, so it gets alpha * n.
struct LrnParams {
  int64_t n, h, w, c, radius;
  float bias, alpha, beta;
  memory::desc Md() const { return {{n, c, h, w}, dt::f32, tag::nhwc}; }
  lrn_forward::desc Forward(prop_kind kind) const {
    const int64_t size = 2 * radius + 1;
    return {kind, algorithm::lrn_across_channels, Md(), size, alpha * size, beta, bias};
  }
  std::vector<int64_t> KeyValues() const {
    int32_t bits[3];
    std::memcpy(bits, &bias, 4);
    std::memcpy(bits + 1, &alpha, 4);
    std::memcpy(bits + 2, &beta, 4);
    return {n, h, w, c, radius, bits[0], bits[1], bits[2]};
  }
};

LrnParams ReadLrn(const Napi::CallbackInfo& info, int at) {
  const std::vector<int64_t> p = Ints(info[at]);
  return {p[0], p[1], p[2], p[3], p[4], Float(info[at + 1]), Float(info[at + 2]), Float(info[at + 3])};
}

struct LrnForward {
  lrn_forward prim;
};
struct LrnBackward {
  lrn_backward prim;
  lrn_forward forward;  // re-run for the workspace, which tfjs's LRNGrad doesn't carry
  memory workspace, dst;
  bool hasWorkspace;
};
Cache<LrnForward> lrnForwardCache;
Cache<LrnBackward> lrnBackwardCache;

// lrn(x, out, [n,h,w,c,radius], bias, alpha, beta)
Napi::Value Lrn(const Napi::CallbackInfo& info) {
  try {
    const LrnParams p = ReadLrn(info, 2);
    LrnForward& f = lrnForwardCache.Get(Key(p.KeyValues()), [&] {
      lrn_forward::primitive_desc pd(p.Forward(prop_kind::forward_inference), Engine());
      NoteImpl("lrn_fwd", pd.impl_info_str());
      return LrnForward{lrn_forward(pd)};
    });
    Run(f.prim, {{DNNL_ARG_SRC, Wrap(p.Md(), F32(info[0]))}, {DNNL_ARG_DST, Wrap(p.Md(), F32(info[1]))}});
  } catch (const dnnl::error& e) {
    ThrowError(info.Env(), "lrn", e);
  }
  return info.Env().Undefined();
}

// lrnGrad(x, dy, dx, [n,h,w,c,radius], bias, alpha, beta)
Napi::Value LrnGrad(const Napi::CallbackInfo& info) {
  try {
    const LrnParams p = ReadLrn(info, 3);
    LrnBackward& b = lrnBackwardCache.Get(Key(p.KeyValues()), [&] {
      lrn_forward::primitive_desc fwd(p.Forward(prop_kind::forward_training), Engine());
      const int64_t size = 2 * p.radius + 1;
      lrn_backward::desc d(algorithm::lrn_across_channels, p.Md(), p.Md(), size, p.alpha * size, p.beta,
                           p.bias);
      lrn_backward::primitive_desc pd(d, Engine(), fwd);
      NoteImpl("lrn_bwd", pd.impl_info_str());
      const bool hasWorkspace = fwd.workspace_desc().get_size() > 0;
      LrnBackward entry{lrn_backward(pd), lrn_forward(fwd), {}, {}, hasWorkspace};
      if (hasWorkspace) {
        entry.workspace = memory(fwd.workspace_desc(), Engine());
        entry.dst = memory(fwd.dst_desc(), Engine());
      }
      return entry;
    });
    memory src = Wrap(p.Md(), F32(info[0]));
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src},
                                         {DNNL_ARG_DIFF_DST, Wrap(p.Md(), F32(info[1]))},
                                         {DNNL_ARG_DIFF_SRC, Wrap(p.Md(), F32(info[2]))}};
    if (b.hasWorkspace) {
      Run(b.forward, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, b.dst}, {DNNL_ARG_WORKSPACE, b.workspace}});
      args[DNNL_ARG_WORKSPACE] = b.workspace;
    }
    Run(b.prim, args);
  } catch (const dnnl::error& e) {
    ThrowError(info.Env(), "lrnGrad", e);
  }
  return info.Env().Undefined();
}

// batchNormGrad(x, dy, mean, variance, scale|null, epsilon, channels, dx, dMean, dVariance, dScale, dOffset):
// the five gradients of FusedBatchNorm (per-channel mean/variance/scale) in two passes, with
// tfjs's formulas: inv = 1/sqrt(var + eps); dx = dy*scale*inv; dMean = -inv*scale*sum(dy);
// dVar = -0.5*inv^3*scale*sum(dy*(x-mean)); dScale = inv*sum(dy*(x-mean)); dOffset = sum(dy).
Napi::Value BatchNormGrad(const Napi::CallbackInfo& info) {
  const float* x = F32(info[0]);
  const float* dy = F32(info[1]);
  const float* mean = F32(info[2]);
  const float* variance = F32(info[3]);
  const float* scale = info[4].IsTypedArray() ? F32(info[4]) : nullptr;
  const float epsilon = Float(info[5]);
  const int64_t c = Int(info[6]);
  float* dx = F32(info[7]);
  float *dMean = F32(info[8]), *dVariance = F32(info[9]), *dScale = F32(info[10]), *dOffset = F32(info[11]);
  const int64_t n = static_cast<int64_t>(Length(info[0]));
  const int64_t rows = n / c;
  std::vector<float> inv(c), gain(c);
  for (int64_t ch = 0; ch < c; ++ch) {
    inv[ch] = 1.f / std::sqrt(variance[ch] + epsilon);
    gain[ch] = inv[ch] * (scale ? scale[ch] : 1.f);
  }
  const int threads = omp_get_max_threads();
  std::vector<double> sumDy(static_cast<size_t>(threads) * c, 0.0), sumDyXm(static_cast<size_t>(threads) * c, 0.0);
#pragma omp parallel
  {
    const size_t t = static_cast<size_t>(omp_get_thread_num());
    double* s1 = sumDy.data() + t * c;
    double* s2 = sumDyXm.data() + t * c;
    const float* pg = gain.data();
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * c;
      const float* dyr = dy + r * c;
      float* dxr = dx + r * c;
      for (int64_t ch = 0; ch < c; ++ch) {
        s1[ch] += dyr[ch];
        s2[ch] += dyr[ch] * (xr[ch] - mean[ch]);
        dxr[ch] = dyr[ch] * pg[ch];
      }
    }
  }
  for (int64_t ch = 0; ch < c; ++ch) {
    double s1 = 0, s2 = 0;
    for (int t = 0; t < threads; ++t) {
      s1 += sumDy[static_cast<size_t>(t) * c + ch];
      s2 += sumDyXm[static_cast<size_t>(t) * c + ch];
    }
    const float sc = scale ? scale[ch] : 1.f;
    dOffset[ch] = static_cast<float>(s1);
    dMean[ch] = static_cast<float>(-inv[ch] * sc * s1);
    dVariance[ch] = static_cast<float>(-0.5 * inv[ch] * inv[ch] * inv[ch] * sc * s2);
    dScale[ch] = static_cast<float>(inv[ch] * s2);
  }
  return info.Env().Undefined();
}

// s1[ch] += sum over rows of (x[r][ch] - k[ch]); s2[ch] += sum of its squares.
template <typename X>
VECTOR_LOOP void AddShiftedMoments(const X* __restrict x, const float* __restrict k, int64_t rows, int64_t c,
                                   float* __restrict s1, float* __restrict s2) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t ch = 0; ch < c; ++ch) {
      const float d = Load(x, r * c + ch) - k[ch];
      s1[ch] += d;
      s2[ch] += d * d;
    }
}

// The output of a ReLU capped at `ceiling` after the normalization (ReLU6: 6), as a gradient mask.
template <typename T>
struct CappedMask {
  const T* y;
  float ceiling;
};

// p + offset, or nullptr for no array.
template <typename T>
T* Offset(T* p, int64_t offset) { return p + offset; }
inline std::nullptr_t Offset(std::nullptr_t, int64_t) { return nullptr; }
template <typename T>
CappedMask<T> Offset(CappedMask<T> m, int64_t offset) { return {m.y + offset, m.ceiling}; }

template <typename T>
struct IsCapped : std::false_type {};
template <typename T>
struct IsCapped<CappedMask<T>> : std::true_type {};

// dy where the ReLU after the normalization passed its input, else 0: ReluGrad's dy (y > 0), or for
// a capped ReLU TensorFlow's Relu6Grad (0 < y < cap; at the cap itself y cannot tell a clipped input
// from one equal to the cap, and TensorFlow passes neither).
template <typename D, typename Y>
inline float Masked(const D* dy, Y y, int64_t i) {
  if constexpr (std::is_same_v<Y, std::nullptr_t>) {
    return Load(dy, i);
  } else if constexpr (IsCapped<Y>::value) {
    const float v = Load(y.y, i);
    return v > 0.f && v < y.ceiling ? Load(dy, i) : 0.f;
  } else {
    return Load(y, i) > 0.f ? Load(dy, i) : 0.f;
  }
}

// sumDy[ch] += sum of dy; sumDyXm[ch] += sum of dy (x - mean) (dy masked by y's ReLU; y a pointer or nullptr).
template <typename X, typename D, typename Y>
VECTOR_LOOP void AddGradientSums(const X* __restrict x, const D* __restrict dy, Y y, const float* __restrict mean,
                                 int64_t rows, int64_t c, float* __restrict sumDy, float* __restrict sumDyXm) {
  for (int64_t r = 0; r < rows; ++r)
#pragma GCC ivdep
    for (int64_t ch = 0; ch < c; ++ch) {
      const float d = Masked(dy, y, r * c + ch);
      sumDy[ch] += d;
      sumDyXm[ch] += d * (Load(x, r * c + ch) - mean[ch]);
    }
}

// out = p[ch] a + q[ch] b + k[ch], row by row, with a masked by y's ReLU (Masked; y a pointer or nullptr).
template <typename A, typename Y, typename B, typename O>
VECTOR_LOOP void AffineRows(const A* __restrict a, Y y, const B* __restrict b, const float* __restrict p,
                            const float* __restrict q, const float* __restrict k, int64_t rows, int64_t c,
                            O* __restrict out) {
  for (int64_t r = 0; r < rows; ++r)
#pragma GCC ivdep
    for (int64_t ch = 0; ch < c; ++ch)
      Store(out, r * c + ch, p[ch] * Masked(a, y, r * c + ch) + q[ch] * Load(b, r * c + ch) + k[ch]);
}

// Calls f with mask's typed pointer (a ReLU's output), as a CappedMask when the ReLU is capped
// (ceiling < +inf), or with nullptr (of type nullptr_t) when there is no mask.
template <typename F>
void WithMask(const Values* mask, float ceiling, F f) {
  if (mask == nullptr) {
    f(nullptr);
  } else if (ceiling < INFINITY) {
    Typed(*mask, [&](auto* y) { f(CappedMask<std::remove_const_t<std::remove_pointer_t<decltype(y)>>>{y, ceiling}); });
  } else {
    Typed(*mask, f);
  }
}

// Applies AffineRows to row blocks in parallel (any of a, mask, b, out may be bf16).
void AffineRowsParallel(const Values& a, const Values* mask, float ceiling, const Values& b,
                        const std::vector<float>& p, const std::vector<float>& q, const std::vector<float>& k,
                        int64_t rows, int64_t c, const Values& out) {
  const int64_t kBlockRows = 256;
  Typed(a, [&](auto* pa) {
    WithMask(mask, ceiling, [&](auto py) {
      Typed(b, [&](auto* pb) {
        Typed(out, [&](auto* po) {
#pragma omp parallel for if (rows * c > (1 << 15)) schedule(static)
          for (int64_t first = 0; first < rows; first += kBlockRows) {
            AffineRows(pa + first * c, Offset(py, first * c), pb + first * c, p.data(), q.data(), k.data(),
                       std::min(kBlockRows, rows - first), c, po + first * c);
          }
        });
      });
    });
  });
}

// moments(x, channels, mean, variance): per-channel mean and biased variance over every axis but
// the last, as tf.moments(x, [0, ..., rank-2]) computes them, in one pass over x. The sums are of
// x minus its first row (a sample of each channel, so within a few standard deviations of the
// mean), which keeps var = E[d^2] - E[d]^2 free of the cancellation a large mean would cause.
Napi::Value Moments(const Napi::CallbackInfo& info) {
  const Values x = Storage(info[0]);
  const int64_t c = Int(info[1]);
  float* mean = F32(info[2]);
  float* variance = F32(info[3]);
  const int64_t rows = x.length / c;
  std::vector<float> k(c);
  std::vector<double> sums;
  Typed(x, [&](auto* in) {
    for (int64_t ch = 0; ch < c; ++ch) k[ch] = Load(in, ch);
    sums = ChannelSums(rows, c, 2, [&](int64_t first, int64_t n, float* acc) {
      AddShiftedMoments(in + first * c, k.data(), n, c, acc, acc + c);
    });
  });
  for (int64_t ch = 0; ch < c; ++ch) {
    const double d = sums[ch] / rows;
    mean[ch] = static_cast<float>(k[ch] + d);
    variance[ch] = static_cast<float>(std::max(0.0, sums[c + ch] / rows - d * d));
  }
  return info.Env().Undefined();
}

// momentsGrad(x, mean, dMean, dVariance, channels, dx): dx = (dMean + 2 dVariance (x - mean)) / rows.
Napi::Value MomentsGrad(const Napi::CallbackInfo& info) {
  const Values x = Storage(info[0]);
  const float* mean = F32(info[1]);
  const float* dMean = F32(info[2]);
  const float* dVariance = F32(info[3]);
  const int64_t c = Int(info[4]);
  const Values dx = Storage(info[5]);
  const int64_t rows = x.length / c;
  // dx = b x + a (the second input of AffineRows is x again, with weight 0).
  std::vector<float> a(c), b(c), zero(c, 0.f);
  for (int64_t ch = 0; ch < c; ++ch) {
    b[ch] = 2.f * dVariance[ch] / rows;
    a[ch] = dMean[ch] / rows - b[ch] * mean[ch];
  }
  AffineRowsParallel(x, nullptr, INFINITY, x, b, zero, a, rows, c, dx);
  return info.Env().Undefined();
}

// batchNormTrainingGrad(x, dy, mean, variance, scale, epsilon, channels, dx, dScale, dOffset, y|null, reluMax?):
// the gradient of y = scale (x - mean(x)) / sqrt(var(x) + eps) + offset where mean and variance are
// the batch statistics of x (so dx includes their dependence on x), in two passes:
//   s1 = sum(dy), s2 = sum(dy (x - mean)), inv = 1/sqrt(var + eps),
//   dx = scale inv (dy - s1/rows - (x - mean) inv^2 s2/rows), dScale = inv s2, dOffset = s1.
// Given y (the output of relu(batchNorm(x)), capped at reluMax if given), dy is first masked by the
// ReLU's gradient (Masked).
Napi::Value BatchNormTrainingGrad(const Napi::CallbackInfo& info) {
  const Values x = Storage(info[0]), dy = Storage(info[1]);
  const float* mean = F32(info[2]);
  const float* variance = F32(info[3]);
  const float* scale = F32(info[4]);
  const float epsilon = Float(info[5]);
  const int64_t c = Int(info[6]);
  const Values dx = Storage(info[7]);
  float* dScale = F32(info[8]);
  float* dOffset = F32(info[9]);
  const int64_t rows = x.length / c;
  const Values y = info.Length() > 10 && info[10].IsTypedArray() ? Storage(info[10]) : Values{};
  const Values* mask = y.data != nullptr ? &y : nullptr;
  const float ceiling = info.Length() > 11 && info[11].IsNumber() ? Float(info[11]) : INFINITY;
  std::vector<double> sums;
  Typed(x, [&](auto* px) {
    Typed(dy, [&](auto* pdy) {
      WithMask(mask, ceiling, [&](auto py) {
        sums = ChannelSums(rows, c, 2, [&](int64_t first, int64_t n, float* acc) {
          AddGradientSums(px + first * c, pdy + first * c, Offset(py, first * c), mean, n, c, acc, acc + c);
        });
      });
    });
  });
  // dx = gain dy + a x + b per channel.
  std::vector<float> gain(c), a(c), b(c);
  for (int64_t ch = 0; ch < c; ++ch) {
    const double inv = 1.0 / std::sqrt(static_cast<double>(variance[ch]) + epsilon);
    const double s1 = sums[ch], s2 = sums[c + ch];
    gain[ch] = static_cast<float>(scale[ch] * inv);
    a[ch] = static_cast<float>(-scale[ch] * inv * inv * inv * s2 / rows);
    b[ch] = static_cast<float>(-scale[ch] * inv * s1 / rows - a[ch] * static_cast<double>(mean[ch]));
    dScale[ch] = static_cast<float>(inv * s2);
    dOffset[ch] = static_cast<float>(s1);
  }
  AffineRowsParallel(dy, mask, ceiling, x, gain, a, b, rows, c, dx);
  return info.Env().Undefined();
}

}  // namespace

void InitNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("softmax", Napi::Function::New(env, SoftmaxForward));
  exports.Set("lrn", Napi::Function::New(env, Lrn));
  exports.Set("lrnGrad", Napi::Function::New(env, LrnGrad));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad));
  exports.Set("moments", Napi::Function::New(env, Moments));
  exports.Set("momentsGrad", Napi::Function::New(env, MomentsGrad));
  exports.Set("batchNormTrainingGrad", Napi::Function::New(env, BatchNormTrainingGrad));
}

}  // namespace onednn
