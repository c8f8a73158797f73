// BatchMatMul and _FusedMatMul: one oneDNN matmul primitive over the framework's buffers.
// Transposes are expressed as strides (no copies); weights stay in the order tfjs stores
// them, which for the large dense layers is faster than inner_product's own layout.
#include <cstring>

#include "common.h"

namespace onednn {
namespace {

using namespace dnnl;

struct Entry {
  matmul prim;
};

Cache<Entry> cache;

// matmul(a, b, bias|null, out, params, activation, alpha)
// params: [batchA, batchB, m, k, n, transposeA, transposeB, biasRows, biasCols]
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  try {
    std::vector<int64_t> raw = Ints(info[4]);
    const int64_t batchA = raw[0], batchB = raw[1], m = raw[2], k = raw[3], n = raw[4];
    const bool transposeA = raw[5], transposeB = raw[6];
    const int64_t biasRows = raw[7], biasCols = raw[8];
    const bool hasBias = !info[2].IsNull() && !info[2].IsUndefined();
    const int activation = static_cast<int>(Int(info[5]));
    const float alpha = Float(info[6]);
    int32_t alphaBits;
    std::memcpy(&alphaBits, &alpha, sizeof alphaBits);
    raw.insert(raw.end(), {hasBias, activation, alphaBits});

    const memory::desc a({batchA, m, k}, dt::f32,
                         transposeA ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
    const memory::desc b({batchB, k, n}, dt::f32,
                         transposeB ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
    const memory::desc c({std::max(batchA, batchB), m, n}, dt::f32, tag::abc);
    const memory::desc bias({1, biasRows, biasCols}, dt::f32, tag::abc);

    Entry& e = cache.Get(Key(raw), [&] {
      post_ops ops;
      AppendActivation(ops, activation, alpha);
      primitive_attr attr;
      attr.set_post_ops(ops);
      matmul::primitive_desc pd = hasBias ? matmul::primitive_desc(matmul::desc(a, b, bias, c), attr, Engine())
                                          : matmul::primitive_desc(matmul::desc(a, b, c), attr, Engine());
      NoteImpl("matmul", pd.impl_info_str());
      return Entry{matmul(pd)};
    });
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, Wrap(a, F32(info[0]))},
                                         {DNNL_ARG_WEIGHTS, Wrap(b, F32(info[1]))},
                                         {DNNL_ARG_DST, Wrap(c, F32(info[3]))}};
    if (hasBias) args[DNNL_ARG_BIAS] = Wrap(bias, F32(info[2]));
    Run(e.prim, args);
  } catch (const dnnl::error& e) {
    ThrowError(info.Env(), "matmul", e);
  }
  return info.Env().Undefined();
}

}  // namespace

void InitMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, Matmul));
}

}  // namespace onednn
