// Pooling: AvgPool (padding excluded, as TensorFlow), MaxPool and their gradients.
// AvgPoolGrad is the true gradient of the forward (TensorFlow's semantics); tfjs's CPU
// kernel ignores the exclude-padding rule there.
#include "common.h"

namespace onednn {
namespace {

using namespace dnnl;

// `type`: f32, or bf16 when every tensor of the call is a mixed-precision activation.
struct PoolParams {
  int64_t n, ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr;
  dt type;
  PoolParams(const std::vector<int64_t>& p, dt type)
      : n(p[0]), ih(p[1]), iw(p[2]), c(p[3]), oh(p[4]), ow(p[5]), kh(p[6]), kw(p[7]), sh(p[8]),
        sw(p[9]), pt(p[10]), pl(p[11]), pb(p[12]), pr(p[13]), type(type) {}
  memory::desc Src() const { return {{n, c, ih, iw}, type, tag::nhwc}; }
  memory::desc Dst() const { return {{n, c, oh, ow}, type, tag::nhwc}; }
  pooling_forward::desc ForwardDesc(prop_kind kind, algorithm alg) const {
    return {kind, alg, Src(), Dst(), {sh, sw}, {kh, kw}, {pt, pl}, {pb, pr}};
  }
  pooling_backward::desc BackwardDesc(algorithm alg) const {
    return {alg, Src(), Dst(), {sh, sw}, {kh, kw}, {pt, pl}, {pb, pr}};
  }
};

algorithm Algorithm(bool isMax) {
  return isMax ? algorithm::pooling_max : algorithm::pooling_avg_exclude_padding;
}

struct Forward {
  pooling_forward prim;
};

struct Backward {
  pooling_backward prim;
  // Max pooling: the forward is re-run to get the workspace (argmax positions), since
  // tfjs passes (dy, x, y) to MaxPoolGrad and no workspace.
  pooling_forward forward;
  memory workspace, dst;
};

Cache<Forward> forwardCache;
Cache<Backward> backwardCache;

// pool2dForward(x, out, params, isMax): x and out both f32 or both bf16
Napi::Value PoolForward(const Napi::CallbackInfo& info) {
  try {
    std::vector<int64_t> raw = Ints(info[2]);
    const bool isMax = info[3].As<Napi::Boolean>();
    const Values x = Storage(info[0]), out = Storage(info[1]);
    const PoolParams p(raw, x.type);
    raw.insert(raw.end(), {isMax, x.bf16()});
    Forward& f = forwardCache.Get(Key(raw), [&] {
      pooling_forward::primitive_desc pd(p.ForwardDesc(prop_kind::forward_inference, Algorithm(isMax)),
                                         Engine());
      NoteImpl("pool_fwd", pd.impl_info_str());
      return Forward{pooling_forward(pd)};
    });
    Run(f.prim, {{DNNL_ARG_SRC, Wrap(p.Src(), x)}, {DNNL_ARG_DST, Wrap(p.Dst(), out)}});
  } catch (const dnnl::error& e) {
    ThrowError(info.Env(), "pool2d", e);
  }
  return info.Env().Undefined();
}

// pool2dBackward(dy, x|null, dx, params, isMax): all f32 or all bf16
Napi::Value PoolBackward(const Napi::CallbackInfo& info) {
  try {
    std::vector<int64_t> raw = Ints(info[3]);
    const bool isMax = info[4].As<Napi::Boolean>();
    const Values dy = Storage(info[0]), dx = Storage(info[2]);
    const PoolParams p(raw, dy.type);
    raw.insert(raw.end(), {isMax, dy.bf16()});
    Backward& b = backwardCache.Get(Key(raw), [&] {
      pooling_forward::primitive_desc fwd(p.ForwardDesc(prop_kind::forward_training, Algorithm(isMax)),
                                          Engine());
      pooling_backward::primitive_desc pd(p.BackwardDesc(Algorithm(isMax)), Engine(), fwd);
      NoteImpl("pool_bwd", pd.impl_info_str());
      Backward entry{pooling_backward(pd)};
      if (isMax) {
        entry.forward = pooling_forward(fwd);
        entry.workspace = memory(fwd.workspace_desc(), Engine());
        entry.dst = memory(fwd.dst_desc(), Engine());
      }
      return entry;
    });
    std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, Wrap(p.Dst(), dy)}, {DNNL_ARG_DIFF_SRC, Wrap(p.Src(), dx)}};
    if (isMax) {
      Run(b.forward, {{DNNL_ARG_SRC, Wrap(p.Src(), Storage(info[1]))},
                      {DNNL_ARG_DST, b.dst},
                      {DNNL_ARG_WORKSPACE, b.workspace}});
      args[DNNL_ARG_WORKSPACE] = b.workspace;
    }
    Run(b.prim, args);
  } catch (const dnnl::error& e) {
    ThrowError(info.Env(), "pool2dGrad", e);
  }
  return info.Env().Undefined();
}

}  // namespace

void InitPool(Napi::Env env, Napi::Object exports) {
  exports.Set("pool2dForward", Napi::Function::New(env, PoolForward));
  exports.Set("pool2dBackward", Napi::Function::New(env, PoolBackward));
}

}  // namespace onednn
