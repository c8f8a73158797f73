// Reductions (Sum, Mean, Max, Min, Prod) without transposing the input (the CPU backend
// transposes reduced axes innermost first). Reduced axes that form one contiguous block
// — bias gradients, losses, means over the batch — run as a loop over [outer, reduced, inner]
// with double accumulators for sums; any other set of axes uses oneDNN's reduction primitive.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

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

// Accumulates one value into an accumulator, for each op.
template <int Op>
struct Acc {
  static double Init() {
    if (Op == kMax) return -std::numeric_limits<double>::infinity();
    if (Op == kMin) return std::numeric_limits<double>::infinity();
    return Op == kProd ? 1.0 : 0.0;
  }
  static double Add(double acc, float v) {
    if (Op == kSum || Op == kMean) return acc + v;
    if (Op == kProd) return acc * v;
    // NaN wins, as in tfjs's Math.max/Math.min-based kernels.
    if (std::isnan(v) || std::isnan(acc)) return std::isnan(acc) ? acc : v;
    return Op == kMax ? (v > acc ? v : acc) : (v < acc ? v : acc);
  }
  static double Combine(double a, double b) {
    if (Op == kSum || Op == kMean) return a + b;
    if (Op == kProd) return a * b;
    return Add(a, static_cast<float>(b));
  }
};

// acc[ch] += sum over the rows of x[r][ch].
template <typename T>
VECTOR_LOOP void AddRows(const T* __restrict x, int64_t rows, int64_t c, float* __restrict acc) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t ch = 0; ch < c; ++ch) acc[ch] += Load(x, r * c + ch);
}

// x viewed as [outer, reduced, inner]; out is [outer, inner]. T: float, or uint16_t for a bf16
// activation: a bias gradient's sum over a bf16 ReLU gradient, which takes ChannelSums' vectorized
// blocks (the scalar double loops below read bf16 at a third of that speed).
template <int Op, typename T>
void ReduceBlock(const T* x, float* out, int64_t outer, int64_t reduced, int64_t inner) {
  if (std::is_same<T, uint16_t>::value && (Op == kSum || Op == kMean) && outer == 1) {
    const std::vector<double> sums = ChannelSums(reduced, inner, 1, [&](int64_t first, int64_t n, float* acc) {
      AddRows(x + first * inner, n, inner, acc);
    });
    for (int64_t i = 0; i < inner; ++i) out[i] = static_cast<float>(Op == kMean ? sums[i] / reduced : sums[i]);
    return;
  }
  using A = Acc<Op>;
  const double scale = Op == kMean ? 1.0 / static_cast<double>(reduced) : 1.0;
  const int64_t outSize = outer * inner;
  const int threads = omp_get_max_threads();
  if (outer >= 4 * threads || outSize > (1 << 16) || reduced * inner < (1 << 15)) {
    // Enough independent outputs: each thread takes whole rows of the output.
#pragma omp parallel for if (outer * reduced * inner > (1 << 15)) schedule(static)
    for (int64_t o = 0; o < outer; ++o) {
      std::vector<double> acc(inner, A::Init());
      const T* base = x + o * reduced * inner;
      for (int64_t r = 0; r < reduced; ++r) {
        const T* row = base + r * inner;
        for (int64_t i = 0; i < inner; ++i) acc[i] = A::Add(acc[i], Load(row, i));
      }
      for (int64_t i = 0; i < inner; ++i) out[o * inner + i] = static_cast<float>(acc[i] * scale);
    }
    return;
  }
  // Few outputs, long reductions: each thread reduces a slice of the reduced axis, then the
  // partial results are combined.
  std::vector<double> partial(static_cast<size_t>(threads) * outSize, A::Init());
#pragma omp parallel
  {
    double* mine = partial.data() + static_cast<size_t>(omp_get_thread_num()) * outSize;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < reduced; ++r) {
      for (int64_t o = 0; o < outer; ++o) {
        const T* row = x + (o * reduced + r) * inner;
        double* acc = mine + o * inner;
        for (int64_t i = 0; i < inner; ++i) acc[i] = A::Add(acc[i], Load(row, i));
      }
    }
  }
  for (int64_t j = 0; j < outSize; ++j) {
    double acc = partial[j];
    for (int t = 1; t < threads; ++t) acc = A::Combine(acc, partial[static_cast<size_t>(t) * outSize + j]);
    out[j] = static_cast<float>(acc * scale);
  }
}

// reduceBlock(op, x, out, outer, reduced, inner): x f32 or bf16
Napi::Value ReduceContiguous(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(Int(info[0]));
  float* out = F32(info[2]);
  const int64_t outer = Int(info[3]), reduced = Int(info[4]), inner = Int(info[5]);
  Typed(Storage(info[1]), [&](auto* x) {
    switch (op) {
      case kSum: ReduceBlock<kSum>(x, out, outer, reduced, inner); break;
      case kMean: ReduceBlock<kMean>(x, out, outer, reduced, inner); break;
      case kMax: ReduceBlock<kMax>(x, out, outer, reduced, inner); break;
      case kMin: ReduceBlock<kMin>(x, out, outer, reduced, inner); break;
      default: ReduceBlock<kProd>(x, out, outer, reduced, inner); break;
    }
  });
  return info.Env().Undefined();
}

}  // namespace

void InitReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("reduceBlock", Napi::Function::New(env, ReduceContiguous));
}

}  // namespace onednn
