// Convolutions: Conv2D / FusedConv2D / depthwise forward, backward-data and backward-weights.
// Activations stay NHWC (TensorFlow's layout); weights arrive in TensorFlow's HWIO (or
// depthwise HWCM) order and are reordered into the layout each primitive chose with
// format_tag::any — primitives created on plain HWIO weights fall back to slow GEMM paths.
#include <cstring>

#include "common.h"

namespace onednn {
namespace {

using namespace dnnl;

// Integer parameters, in the order src/kernels/conv_util.ts writes them, and the data type the
// primitives compute in (bf16 in mixed-precision mode). In that mode the activations (x, y, dy,
// dx) may each arrive or be asked for as bf16 or f32 (src/activation_storage.ts); weights and
// their gradients stay f32.
struct ConvParams {
  int64_t n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
  dt compute;
  explicit ConvParams(const std::vector<int64_t>& p)
      : n(p[0]), ih(p[1]), iw(p[2]), ic(p[3]), oh(p[4]), ow(p[5]), oc(p[6]), kh(p[7]), kw(p[8]),
        sh(p[9]), sw(p[10]), dh(p[11]), dw(p[12]), pt(p[13]), pl(p[14]), pb(p[15]), pr(p[16]),
        groups(p[17]), compute(Bf16() ? dt::bf16 : dt::f32) {}
  // Set per direction by UseWinograd: activations then take the primitive's blocked layout.
  bool winograd = false;
  bool bf16() const { return compute == dt::bf16; }
  memory::dims SrcDims() const { return {n, ic, ih, iw}; }
  memory::dims DstDims() const { return {n, oc, oh, ow}; }
  memory::desc Src(dt type = dt::f32) const { return {SrcDims(), type, tag::nhwc}; }
  memory::desc Dst(dt type = dt::f32) const { return {DstDims(), type, tag::nhwc}; }
  // What the primitive is created on: the framework's NHWC, or any layout for Winograd (oneDNN
  // 2.6's jit_wino_4x3 reads and writes only nChw16c; the reorders cost ~2% of the convolution).
  memory::desc PrimitiveSrc(dt type = dt::f32) const { return winograd ? memory::desc(SrcDims(), type, tag::any) : Src(type); }
  memory::desc PrimitiveDst(dt type = dt::f32) const { return winograd ? memory::desc(DstDims(), type, tag::any) : Dst(type); }
  algorithm Algorithm() const { return winograd ? algorithm::convolution_winograd : algorithm::convolution_direct; }
  memory::dims WeightDims() const {
    if (groups == 1) return {oc, ic, kh, kw};
    return {groups, oc / groups, ic / groups, kh, kw};
  }
  memory::desc AnyWeights(dt type) const { return {WeightDims(), type, tag::any}; }
  // The framework's own weight order: HWIO, or HWCM for depthwise (channel multiplier M).
  memory::desc UserWeights() const {
    if (groups == 1) return {WeightDims(), dt::f32, tag::hwio};
    const int64_t m = oc / groups;
    return {WeightDims(), dt::f32, memory::dims{m, 1, oc, kw * oc, oc}};
  }
  memory::dims Strides() const { return {sh, sw}; }
  memory::dims Dilates() const { return {dh - 1, dw - 1}; }
  memory::dims PadL() const { return {pt, pl}; }
  memory::dims PadR() const { return {pb, pr}; }

  convolution_forward::desc ForwardDesc(bool bias, prop_kind kind = prop_kind::forward_training,
                                        dt dstType = dt::f32) const {
    if (bias) {
      return {kind, Algorithm(), PrimitiveSrc(compute), AnyWeights(compute),
              memory::desc({oc}, dt::f32, tag::a), PrimitiveDst(dstType), Strides(), Dilates(), PadL(), PadR()};
    }
    return {kind, Algorithm(), PrimitiveSrc(compute), AnyWeights(compute),
            PrimitiveDst(dstType), Strides(), Dilates(), PadL(), PadR()};
  }
  convolution_forward::primitive_desc Hint() const {
    return {ForwardDesc(false), Engine()};
  }
  // Cache key: the integers plus the compute type.
  std::vector<int64_t> KeyValues(std::vector<int64_t> raw) const {
    raw.push_back(bf16());
    return raw;
  }
};

// An input's reorder from the framework's layout into a primitive's, when they differ.
struct ToPrimitive {
  bool needed = false;
  memory::desc primitive;
  reorder prim;
  mutable memory scratch;  // the input in the primitive's layout, made at first use, reused after
  ToPrimitive() = default;
  ToPrimitive(const memory::desc& framework, const memory::desc& primitive) : primitive(primitive) {
    if (framework == primitive) return;
    needed = true;
    prim = reorder(reorder::primitive_desc(Engine(), framework, Engine(), primitive));
  }
  memory operator()(const memory& framework) const {
    if (!needed) return framework;
    if (!scratch) scratch = memory(primitive, Engine());
    Run(prim, {{DNNL_ARG_FROM, framework}, {DNNL_ARG_TO, scratch}});
    return scratch;
  }
};

// An output the primitive writes in its own layout, reordered into the framework's after.
struct FromPrimitive {
  bool needed = false;
  memory scratch;
  reorder prim;
  FromPrimitive() = default;
  FromPrimitive(const memory::desc& primitive, const memory::desc& framework) {
    if (framework == primitive) return;
    needed = true;
    scratch = memory(primitive, Engine());
    prim = reorder(reorder::primitive_desc(Engine(), primitive, Engine(), framework));
  }
  memory Target(const memory& framework) const { return needed ? scratch : framework; }
  void Finish(const memory& framework) const {
    if (needed) Run(prim, {{DNNL_ARG_FROM, scratch}, {DNNL_ARG_TO, framework}});
  }
};

struct Forward {
  convolution_forward prim;
  ToPrimitive weights, src;  // src: Winograd's blocked layout
  FromPrimitive dst;
  ToBf16 srcToBf16;
};

struct BackwardData {
  convolution_backward_data prim;
  ToPrimitive weights, diffDst;
  FromPrimitive diffSrc;
  ToBf16 diffDstToBf16;
};

struct BackwardWeights {
  convolution_backward_weights prim;
  ToPrimitive src, diffDst;
  FromPrimitive diffWeights;
  ToBf16 srcToBf16, diffDstToBf16;
};

// oneDNN 2.6's f32 Winograd F(4×4, 3×3) (jit_wino_4x3) does 2.25× fewer multiplications than the
// direct kernel on 3×3 stride-1 convolutions. It pays where there are enough channels to fill its
// blocks and enough 4×4 output tiles to amortize transforming the weights. Measured 2026-12-02 on
// 2 Zen 5 cores, each direction with its NHWC↔nChw16c and weight reorders, direct ÷ Winograd time:
//   batch 32: 32 channels at 32×32 0.74–1.10 (so no); 64 at 16×16 1.08–1.58; 128 at 8×8 1.40–1.63;
//             256 at 4×4 (32 tiles) forward 1.11, inference 1.75, backward-data 0.88, weights 1.36;
//             512 at 4×4 1.25–2.72;
//   batch 16: 128 at 8×8 (64 tiles) 1.08–1.45; 256 at 4×4 (16 tiles) backward-data 0.77;
//   batch 1: slower in every direction.
// bf16 stays direct: 2.6 has no bf16 Winograd.
enum class Direction { kInference, kForwardTraining, kBackwardData, kBackwardWeights };
constexpr int64_t kWinogradMinChannels = 64;

bool UseWinograd(const ConvParams& p, Direction direction) {
  if (p.bf16() || p.groups != 1 || p.kh != 3 || p.kw != 3 || p.sh != 1 || p.sw != 1 || p.dh != 1 ||
      p.dw != 1 || p.ic < kWinogradMinChannels || p.oc < kWinogradMinChannels) {
    return false;
  }
  const int64_t tiles = p.n * ((p.oh + 3) / 4) * ((p.ow + 3) / 4);
  return tiles >= (direction == Direction::kBackwardData ? 64 : 32);
}

// Creates a primitive descriptor with Winograd where UseWinograd picks it, else (or where the
// Winograd implementation declines the shape) with the direct algorithm; `p.winograd` says which.
template <class Make>
auto WithAlgorithm(ConvParams& p, Direction direction, Make make) -> decltype(make()) {
  p.winograd = UseWinograd(p, direction);
  if (p.winograd) {
    try {
      return make();
    } catch (const dnnl::error&) {
      p.winograd = false;
    }
  }
  return make();
}

// oneDNN 2.6 lists its brgemm forward kernel (brgconv) first, but where the output is 4×4 or smaller
// (ResNet's last stage at 128×128) it splits too little work between threads, and the older
// direct jit kernel, next in the list, is faster. Measured at batch 32 (2026-12-02, 2 Zen 5 cores,
// brgconv → jit): bf16 3×3 256→256 at 4×4 1.01 → 0.55 ms, 512→512 4.14 → 2.34 ms, 256→512 stride 2
// 2.33 → 1.37 ms; f32 512→512 11.1 → 6.7 ms, 256→512 stride 2 4.06 → 3.45 ms; 1×1 shortcuts equal
// or faster; at 6×6 equal, at 8×8 brgconv is faster.
constexpr int64_t kDirectJitMaxOutputPixels = 16;

bool IsBrgconv(const convolution_forward::primitive_desc& pd) {
  return std::strncmp(pd.impl_info_str(), "brgconv", 7) == 0;
}

// `make()`'s primitive descriptor, moved past brgconv to the next implementation for small outputs.
template <class Make>
convolution_forward::primitive_desc ForwardImplementation(const ConvParams& p, Make make) {
  convolution_forward::primitive_desc pd = make();
  if (p.winograd || p.oh * p.ow > kDirectJitMaxOutputPixels || !IsBrgconv(pd)) return pd;
  while (IsBrgconv(pd) && pd.next_impl()) {
  }
  // Past brgconv, the next is the direct jit kernel on any x86 CPU with AVX-512; never a reference one.
  if (std::strstr(pd.impl_info_str(), "jit") != nullptr) return pd;
  return make();
}

// In bf16, backward-weights as one matmul over x's im2col columns where a convolution's output is
// small (ResNet's last stage at 4×4): there oneDNN 2.6's direct bf16 kernel splits too few output
// pixels between threads, while dW[(kh,kw,ic), oc] = Σ_pixels cols[pixel, (kh,kw,ic)] dy[pixel, oc]
// is one GEMM whose result is already in the framework's HWIO order. Measured at batch 32
// (2026-12-02, 2 threads): 3×3 256→256 at 4×4 2.8 → 1.5 ms, 512→512 8.2 → 4.7 ms, 128→256 stride 2
// to 4×4 1.6 → 0.8 ms; even at 6×6, slower at 8×8 (5.1 → 6.2 ms). In f32 the direct kernel is as
// fast or faster at these sizes, so it stays.
constexpr int64_t kGemmMaxOutputPixels = 16;

bool GemmBackwardWeights(const ConvParams& p) {
  return p.bf16() && p.groups == 1 && p.dh == 1 && p.dw == 1 && p.kh * p.kw > 1 &&
         p.oh * p.ow <= kGemmMaxOutputPixels;
}

// cols[pixel, (kh, kw, ic)] = x at the input position the filter tap (kh, kw) reads for that
// output pixel, 0 in the padding (T: float, or uint16_t for bf16).
template <typename T>
void Im2Col(const T* x, const ConvParams& p, T* cols) {
  const int64_t taps = p.kh * p.kw * p.ic;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < p.n; ++n) {
    for (int64_t oh = 0; oh < p.oh; ++oh) {
      for (int64_t ow = 0; ow < p.ow; ++ow) {
        T* row = cols + ((n * p.oh + oh) * p.ow + ow) * taps;
        for (int64_t kh = 0; kh < p.kh; ++kh) {
          const int64_t ih = oh * p.sh - p.pt + kh;
          for (int64_t kw = 0; kw < p.kw; ++kw) {
            const int64_t iw = ow * p.sw - p.pl + kw;
            T* to = row + (kh * p.kw + kw) * p.ic;
            if (ih < 0 || ih >= p.ih || iw < 0 || iw >= p.iw) {
              std::memset(to, 0, p.ic * sizeof(T));
            } else {
              std::memcpy(to, x + ((n * p.ih + ih) * p.iw + iw) * p.ic, p.ic * sizeof(T));
            }
          }
        }
      }
    }
  }
}

struct BackwardWeightsGemm {
  matmul prim;
  memory cols;                   // im2col of x, [pixels, taps], in x's type (f32 or bf16)
  memory::desc colsT, dyMatrix, dwMatrix;  // the matmul's views: bf16 cols transposed, bf16 dy, f32 dW (HWIO)
  ToBf16 colsToBf16, diffDstToBf16;  // (passed through when bf16 already); dy's copy is shared with backward-data by token
};

// An optional tensor token argument (0 when absent).
uint64_t Token(const Napi::Value& v) {
  return v.IsNumber() ? static_cast<uint64_t>(v.As<Napi::Number>().Int64Value()) : 0;
}

Cache<Forward> forwardCache;
Cache<BackwardData> backwardDataCache;
Cache<BackwardWeights> backwardWeightsCache;
Cache<BackwardWeightsGemm> backwardWeightsGemmCache;

// Weights reordered for inference convolutions, by the token the framework gives one tensor's values
// (src/weight_tokens.ts), so that predicting batch after batch reorders each filter once. oneDNN's
// Winograd inference kernel reads weights already transformed to 6×6 tiles, a reorder that costs
// more than the convolution (13 ms for 3×3 256→256). The framework forgets a token when its tensor is
// disposed or an optimizer writes its values in place.
std::unordered_map<uint64_t, std::vector<memory>> inferenceWeights;

// Never touches reorder.scratch, so an inference entry holds no weights of its own.
memory InferenceWeights(const ToPrimitive& reorder, const memory& framework, uint64_t token) {
  if (!reorder.needed) return framework;
  std::vector<memory>& copies = inferenceWeights[token];
  for (const memory& copy : copies) {
    if (copy.get_desc() == reorder.primitive) return copy;
  }
  memory copy(reorder.primitive, Engine());
  Run(reorder.prim, {{DNNL_ARG_FROM, framework}, {DNNL_ARG_TO, copy}});
  copies.push_back(copy);
  return copy;
}

// forgetWeights(token)
Napi::Value ForgetWeights(const Napi::CallbackInfo& info) {
  inferenceWeights.erase(Token(info[0]));
  return info.Env().Undefined();
}

// conv2dForward(x, w, bias|null, out, params, activation, alpha, weightsToken): a nonzero weightsToken
// means no gradient tape records (an inference), and names w's values for InferenceWeights.
Napi::Value ConvForward(const Napi::CallbackInfo& info) {
  try {
    std::vector<int64_t> raw = Ints(info[4]);
    ConvParams p(raw);
    const bool hasBias = !info[2].IsNull() && !info[2].IsUndefined();
    const int activation = static_cast<int>(Int(info[5]));
    const float alpha = Float(info[6]);
    const uint64_t weightsToken = Token(info[7]);
    const bool inference = weightsToken != 0;
    const Values x = Storage(info[0]), y = Storage(info[3]);
    int32_t alphaBits;
    std::memcpy(&alphaBits, &alpha, sizeof alphaBits);
    raw.insert(raw.end(), {hasBias, activation, alphaBits, inference, y.bf16()});
    const Forward& f = forwardCache.Get(Key(p.KeyValues(raw)), [&] {
      post_ops ops;
      AppendActivation(ops, activation, alpha);
      primitive_attr attr;
      attr.set_post_ops(ops);
      // forward_inference only for Winograd, whose inference kernel (on pre-transformed weights, kept
      // by InferenceWeights) is the faster one; the direct kernels keep the forward they always ran.
      const auto pd = WithAlgorithm(p, inference ? Direction::kInference : Direction::kForwardTraining, [&] {
        const prop_kind kind = inference && p.winograd ? prop_kind::forward_inference : prop_kind::forward_training;
        return ForwardImplementation(p, [&] {
          return convolution_forward::primitive_desc(p.ForwardDesc(hasBias, kind, y.type), attr, Engine());
        });
      });
      NoteImpl("conv_fwd", pd.impl_info_str());
      Forward entry{convolution_forward(pd), ToPrimitive(p.UserWeights(), pd.weights_desc()),
                    ToPrimitive(p.Src(p.compute), pd.src_desc()), FromPrimitive(pd.dst_desc(), p.Dst(y.type))};
      if (p.bf16()) entry.srcToBf16 = ToBf16(p.SrcDims(), tag::nhwc, 0);
      return entry;
    });
    const memory dst = Wrap(p.Dst(y.type), y), w = Wrap(p.UserWeights(), F32(info[1]));
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, f.src(f.srcToBf16(Wrap(p.Src(x.type), x)))},
                                         {DNNL_ARG_WEIGHTS, inference ? InferenceWeights(f.weights, w, weightsToken) : f.weights(w)},
                                         {DNNL_ARG_DST, f.dst.Target(dst)}};
    if (hasBias) args[DNNL_ARG_BIAS] = Wrap(memory::desc({p.oc}, dt::f32, tag::a), F32(info[2]));
    Run(f.prim, args);
    f.dst.Finish(dst);
  } catch (const dnnl::error& e) {
    ThrowError(info.Env(), "conv2d", e);
  }
  return info.Env().Undefined();
}

// conv2dBackwardData(dy, w, dx, params, dyToken): a nonzero dyToken names dy for the
// backward-weights call of the same convolution (its bf16 copy is kept for it).
Napi::Value ConvBackwardData(const Napi::CallbackInfo& info) {
  try {
    std::vector<int64_t> raw = Ints(info[3]);
    ConvParams p(raw);
    const Values dy = Storage(info[0]), dx = Storage(info[2]);
    raw.push_back(dx.bf16());
    const BackwardData& b = backwardDataCache.Get(Key(p.KeyValues(raw)), [&] {
      const auto pd = WithAlgorithm(p, Direction::kBackwardData, [&] {
        convolution_backward_data::desc d(p.Algorithm(), p.PrimitiveSrc(dx.type), p.AnyWeights(p.compute),
                                          p.PrimitiveDst(p.compute), p.Strides(), p.Dilates(), p.PadL(), p.PadR());
        return convolution_backward_data::primitive_desc(d, Engine(), p.Hint());
      });
      NoteImpl("conv_bwd_data", pd.impl_info_str());
      BackwardData entry{convolution_backward_data(pd), ToPrimitive(p.UserWeights(), pd.weights_desc()),
                         ToPrimitive(p.Dst(p.compute), pd.diff_dst_desc()),
                         FromPrimitive(pd.diff_src_desc(), p.Src(dx.type))};
      if (p.bf16()) entry.diffDstToBf16 = ToBf16(p.DstDims(), tag::nhwc, 1);
      return entry;
    });
    const memory diffSrc = Wrap(p.Src(dx.type), dx);
    Run(b.prim, {{DNNL_ARG_DIFF_DST, b.diffDst(b.diffDstToBf16(Wrap(p.Dst(dy.type), dy), Token(info[4])))},
                 {DNNL_ARG_WEIGHTS, b.weights(Wrap(p.UserWeights(), F32(info[1])))},
                 {DNNL_ARG_DIFF_SRC, b.diffSrc.Target(diffSrc)}});
    b.diffSrc.Finish(diffSrc);
  } catch (const dnnl::error& e) {
    ThrowError(info.Env(), "conv2dBackpropInput", e);
  }
  return info.Env().Undefined();
}

// dW = cols(x)ᵀ · dy in bf16, for the convolutions GemmBackwardWeights picks.
void ConvBackwardFilterGemm(const ConvParams& p, std::vector<int64_t> raw, const Napi::CallbackInfo& info) {
  const int64_t pixels = p.n * p.oh * p.ow, taps = p.kh * p.kw * p.ic;
  const Values x = Storage(info[0]), dy = Storage(info[1]);
  raw.push_back(x.bf16());
  BackwardWeightsGemm& b = backwardWeightsGemmCache.Get(Key(p.KeyValues(raw)), [&] {
    const memory::desc colsT({taps, pixels}, dt::bf16, memory::dims{1, taps});
    const memory::desc dyMatrix({pixels, p.oc}, dt::bf16, tag::ab), dwMatrix({taps, p.oc}, dt::f32, tag::ab);
    matmul::primitive_desc pd(matmul::desc(colsT, dyMatrix, dwMatrix), Engine());
    NoteImpl("conv_bwd_weights_gemm", pd.impl_info_str());
    return BackwardWeightsGemm{matmul(pd), memory(memory::desc({pixels, taps}, x.type, tag::ab), Engine()), colsT,
                               dyMatrix, dwMatrix, ToBf16({pixels, taps}, tag::ab, 0), ToBf16(p.DstDims(), tag::nhwc, 1)};
  });
  if (x.bf16()) {
    Im2Col(x.bits(), p, static_cast<uint16_t*>(b.cols.get_data_handle()));
  } else {
    Im2Col(x.f32(), p, static_cast<float*>(b.cols.get_data_handle()));
  }
  const memory cols = b.colsToBf16(b.cols);
  const memory dyBf16 = b.diffDstToBf16(Wrap(p.Dst(dy.type), dy), Token(info[4]));
  Run(b.prim, {{DNNL_ARG_SRC, memory(b.colsT, Engine(), cols.get_data_handle())},
               {DNNL_ARG_WEIGHTS, memory(b.dyMatrix, Engine(), dyBf16.get_data_handle())},
               {DNNL_ARG_DST, Wrap(b.dwMatrix, F32(info[2]))}});
}

// conv2dBackwardFilter(x, dy, dw, params, dyToken)
Napi::Value ConvBackwardFilter(const Napi::CallbackInfo& info) {
  try {
    const std::vector<int64_t> raw = Ints(info[3]);
    ConvParams p(raw);
    if (GemmBackwardWeights(p)) {
      ConvBackwardFilterGemm(p, raw, info);
      return info.Env().Undefined();
    }
    const BackwardWeights& b = backwardWeightsCache.Get(Key(p.KeyValues(raw)), [&] {
      const auto pd = WithAlgorithm(p, Direction::kBackwardWeights, [&] {
        convolution_backward_weights::desc d(p.Algorithm(), p.PrimitiveSrc(p.compute), p.AnyWeights(dt::f32),
                                             p.PrimitiveDst(p.compute), p.Strides(), p.Dilates(), p.PadL(), p.PadR());
        return convolution_backward_weights::primitive_desc(d, Engine(), p.Hint());
      });
      NoteImpl("conv_bwd_weights", pd.impl_info_str());
      BackwardWeights entry{convolution_backward_weights(pd), ToPrimitive(p.Src(p.compute), pd.src_desc()),
                            ToPrimitive(p.Dst(p.compute), pd.diff_dst_desc()),
                            FromPrimitive(pd.diff_weights_desc(), p.UserWeights())};
      if (p.bf16()) {
        entry.srcToBf16 = ToBf16(p.SrcDims(), tag::nhwc, 0);
        entry.diffDstToBf16 = ToBf16(p.DstDims(), tag::nhwc, 1);
      }
      return entry;
    });
    const memory userDw = Wrap(p.UserWeights(), F32(info[2]));
    const Values x = Storage(info[0]), dy = Storage(info[1]);
    Run(b.prim, {{DNNL_ARG_SRC, b.src(b.srcToBf16(Wrap(p.Src(x.type), x)))},
                 {DNNL_ARG_DIFF_DST, b.diffDst(b.diffDstToBf16(Wrap(p.Dst(dy.type), dy), Token(info[4])))},
                 {DNNL_ARG_DIFF_WEIGHTS, b.diffWeights.Target(userDw)}});
    b.diffWeights.Finish(userDw);
  } catch (const dnnl::error& e) {
    ThrowError(info.Env(), "conv2dBackpropFilter", e);
  }
  return info.Env().Undefined();
}

}  // namespace

void InitConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, ConvForward));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, ConvBackwardData));
  exports.Set("conv2dBackwardFilter", Napi::Function::New(env, ConvBackwardFilter));
  exports.Set("forgetWeights", Napi::Function::New(env, ForgetWeights));
}

}  // namespace onednn
