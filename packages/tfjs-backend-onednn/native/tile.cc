// Tile: repeats a tensor along each axis. Used by tfjs's BatchNorm gradient on every step,
// where the CPU backend's element-by-element index arithmetic dominated ResNet training.
#include <algorithm>
#include <cstring>

#include "common.h"

namespace onednn {
namespace {

// tile(x, out, inShape, reps, scale): out's rows (along the last axis) are x's rows times scale.
// (With a scale it is also the gradient of Mean: dy broadcast back over the reduced axes / n.)
Napi::Value Tile(const Napi::CallbackInfo& info) {
  const float* x = F32(info[0]);
  float* out = F32(info[1]);
  const std::vector<int64_t> in = Ints(info[2]), reps = Ints(info[3]);
  const float scale = Float(info[4]);
  const int rank = static_cast<int>(in.size());
  std::vector<int64_t> outShape(rank);
  for (int d = 0; d < rank; ++d) outShape[d] = in[d] * reps[d];
  const int64_t inLast = in[rank - 1], outLast = outShape[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= outShape[d];
#pragma omp parallel for if (rows * outLast > (1 << 15)) schedule(static)
  for (int64_t row = 0; row < rows; ++row) {
    // The input row this output row repeats: each output index maps to index % in[d].
    int64_t rem = row, source = 0, stride = 1;
    for (int d = rank - 2; d >= 0; --d) {
      const int64_t idx = rem % outShape[d];
      rem /= outShape[d];
      source += (idx % in[d]) * stride;
      stride *= in[d];
    }
    const float* src = x + source * inLast;
    float* dst = out + row * outLast;
    if (scale == 1.f) {
      for (int64_t r = 0; r < reps[rank - 1]; ++r) std::memcpy(dst + r * inLast, src, inLast * sizeof(float));
    } else {
      for (int64_t r = 0; r < reps[rank - 1]; ++r) {
        for (int64_t i = 0; i < inLast; ++i) dst[r * inLast + i] = src[i] * scale;
      }
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void InitTile(Napi::Env env, Napi::Object exports) {
  exports.Set("tile", Napi::Function::New(env, Tile));
}

}  // namespace onednn
