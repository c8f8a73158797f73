// Reductions (Sum, Mean, Max, Min, Prod) over any set of axes with oneDNN's reduction
// primitive: no transpose of the input, unlike the CPU backend.
#include "common.h"

namespace onednn {
namespace {

using namespace dnnl;

enum ReduceOp { kSum = 0, kMean, kMax, kMin, kProd };

algorithm Algorithm(int op) {
  switch (op) {
    case kSum: return algorithm::reduction_sum;
    case kMean: return algorithm::reduction_mean;
    case kMax: return algorithm::reduction_max;
    case kMin: return algorithm::reduction_min;
    default: return algorithm::reduction_mul;
  }
}

memory::desc Plain(const std::vector<int64_t>& dims) {
  memory::dims d(dims.begin(), dims.end()), strides(dims.size());
  int64_t s = 1;
  for (int i = static_cast<int>(d.size()) - 1; i >= 0; --i) {
    strides[i] = s;
    s *= d[i];
  }
  return {d, dt::f32, strides};
}

struct Entry {
  reduction prim;
};
Cache<Entry> cache;

// reduce(op, x, out, inShape, outShapeWithKeptDims)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  try {
    const int op = static_cast<int>(Int(info[0]));
    std::vector<int64_t> inShape = Ints(info[3]), outShape = Ints(info[4]);
    if (inShape.empty()) { inShape = {1}; outShape = {1}; }
    std::vector<int64_t> key = inShape;
    key.insert(key.end(), outShape.begin(), outShape.end());
    key.push_back(op);
    const memory::desc src = Plain(inShape), dst = Plain(outShape);
    Entry& e = cache.Get(Key(key), [&] {
      reduction::primitive_desc pd(reduction::desc(Algorithm(op), src, dst, 0.f, 0.f), Engine());
      NoteImpl("reduction", pd.impl_info_str());
      return Entry{reduction(pd)};
    });
    Run(e.prim, {{DNNL_ARG_SRC, Wrap(src, F32(info[1]))}, {DNNL_ARG_DST, Wrap(dst, F32(info[2]))}});
  } catch (const dnnl::error& e) {
    ThrowError(info.Env(), "reduce", e);
  }
  return info.Env().Undefined();
}

}  // namespace

void InitReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, Reduce));
}

}  // namespace onednn
