// Row-and-column resampling of cached pictures (flip, shift, scale crop composed into per-axis
// maps by src/data/augment.ts), then per-picture lookup tables into the float32 batch. The
// arithmetic is the TypeScript reference's, in the same order and in double precision (no
// contraction into fused multiply-adds), so the bytes are identical; it is ~5x faster.
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

// The hot loops are compiled twice, for AVX2 and for the x86-64 baseline, and picked at load time.
#define HOT_LOOP __attribute__((target_clones("avx2", "default")))

// Horizontal blend of one input row: t[k] = row[ia[k]] * ua[k] + row[ib[k]] * wb[k], where the
// row is already in doubles with a zero after its last value (index `zeroAt`, padding reads it).
HOT_LOOP void BlendRow(const double* row, const int32_t* ia, const int32_t* ib, const double* ua, const double* wb, int n,
                       double* t) {
  for (int k = 0; k < n; k++) t[k] = row[ia[k]] * ua[k] + row[ib[k]] * wb[k];
}

HOT_LOOP void RowToDoubles(const uint8_t* row, int n, double* out) {
  for (int k = 0; k < n; k++) out[k] = row[k];
}

// A convex blend of bytes is >= 0, so truncation is the reference's Math.floor.
HOT_LOOP void BlendColumns(const double* top, const double* bottom, double u, double w, int n, uint8_t* o) {
  for (int k = 0; k < n; k++) o[k] = static_cast<uint8_t>(static_cast<int32_t>(top[k] * u + bottom[k] * w + 0.5));
}

HOT_LOOP void AddSums(const uint8_t* o, int n, uint32_t* sum, uint32_t* sumSq) {
  uint32_t s = 0, q = 0;  // one row: at most 450 * 255^2 < 2^32
  for (int k = 0; k < n; k++) {
    const uint32_t v = o[k];
    s += v;
    q += v * v;
  }
  *sum = s;
  *sumSq = q;
}

// resampleRecords(src, count, width, height, colFirst, colSecond, colWeight, rowFirst, rowSecond,
//                 rowWeight, out, sums): each of `count` records (width x height x 3 bytes) through its
// maps (width resp. height entries per record, input indices, -1 = zero) into `out`; sums gets the
// exact sum and sum of squares of each output record.
Napi::Value ResampleRecords(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 12) {
    Napi::TypeError::New(env, "resampleRecords expects 12 arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto src = info[0].As<Napi::Uint8Array>();
  const int count = info[1].As<Napi::Number>().Int32Value();
  const int width = info[2].As<Napi::Number>().Int32Value();
  const int height = info[3].As<Napi::Number>().Int32Value();
  auto colFirst = info[4].As<Napi::Int32Array>();
  auto colSecond = info[5].As<Napi::Int32Array>();
  auto colWeight = info[6].As<Napi::Float64Array>();
  auto rowFirst = info[7].As<Napi::Int32Array>();
  auto rowSecond = info[8].As<Napi::Int32Array>();
  auto rowWeight = info[9].As<Napi::Float64Array>();
  auto out = info[10].As<Napi::Uint8Array>();
  auto sums = info[11].As<Napi::Float64Array>();
  const size_t record = static_cast<size_t>(width) * height * 3;
  if (count < 0 || src.ByteLength() < record * count || out.ByteLength() < record * count ||
      colFirst.ElementLength() < static_cast<size_t>(width) * count || colSecond.ElementLength() < static_cast<size_t>(width) * count ||
      colWeight.ElementLength() < static_cast<size_t>(width) * count || rowFirst.ElementLength() < static_cast<size_t>(height) * count ||
      rowSecond.ElementLength() < static_cast<size_t>(height) * count || rowWeight.ElementLength() < static_cast<size_t>(height) * count ||
      sums.ElementLength() < static_cast<size_t>(count) * 2) {
    Napi::RangeError::New(env, "resampleRecords: an array is too short").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int rowLen = width * 3;
  std::vector<double> zero(rowLen, 0.0), slotA(rowLen), slotB(rowLen), rowD(rowLen + 1, 0.0);
  std::vector<int32_t> ia(rowLen), ib(rowLen);
  std::vector<double> ua(rowLen), wb(rowLen);
  for (int n = 0; n < count; n++) {
    const uint8_t* image = src.Data() + record * n;
    uint8_t* dst = out.Data() + record * n;
    const int32_t* cf = colFirst.Data() + static_cast<size_t>(width) * n;
    const int32_t* cs = colSecond.Data() + static_cast<size_t>(width) * n;
    const double* cw = colWeight.Data() + static_cast<size_t>(width) * n;
    const int32_t* rf = rowFirst.Data() + static_cast<size_t>(height) * n;
    const int32_t* rs = rowSecond.Data() + static_cast<size_t>(height) * n;
    const double* rw = rowWeight.Data() + static_cast<size_t>(height) * n;
    // Per value of an output row: which two input values it blends (rowLen: the zero) and how.
    for (int x = 0; x < width; x++) {
      for (int c = 0; c < 3; c++) {
        const int k = x * 3 + c;
        ia[k] = cf[x] < 0 ? rowLen : cf[x] * 3 + c;
        ib[k] = cs[x] < 0 ? rowLen : cs[x] * 3 + c;
        wb[k] = cw[x];
        ua[k] = 1 - cw[x];
      }
    }
    // Two cached horizontal rows: consecutive output rows mostly read the same pair.
    int keyA = -2, keyB = -2;
    auto rowOf = [&](int r, int keep) -> const double* {
      if (r < 0) return zero.data();
      if (r == keyA) return slotA.data();
      if (r == keyB) return slotB.data();
      double* target = slotA.data();
      if (keyA == keep) {
        target = slotB.data();
        keyB = r;
      } else {
        keyA = r;
      }
      RowToDoubles(image + static_cast<size_t>(r) * rowLen, rowLen, rowD.data());
      BlendRow(rowD.data(), ia.data(), ib.data(), ua.data(), wb.data(), rowLen, target);
      return target;
    };
    uint64_t sum = 0, sumSq = 0;
    for (int y = 0; y < height; y++) {
      const double* top = rowOf(rf[y], rs[y]);
      const double* bottom = rowOf(rs[y], rf[y]);
      uint8_t* o = dst + static_cast<size_t>(y) * rowLen;
      BlendColumns(top, bottom, 1 - rw[y], rw[y], rowLen, o);
      uint32_t s, q;
      AddSums(o, rowLen, &s, &q);
      sum += s;
      sumSq += q;
    }
    sums[2 * n] = static_cast<double>(sum);
    sums[2 * n + 1] = static_cast<double>(sumSq);
  }
  return env.Undefined();
}

// applyTables(src, count, record, tables, out, outOffset): out[outOffset + n*record + i] =
// tables[n*256 + src[n*record + i]] - the per-picture normalization as one lookup per value.
Napi::Value ApplyTables(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto src = info[0].As<Napi::Uint8Array>();
  const size_t count = info[1].As<Napi::Number>().Uint32Value();
  const size_t record = info[2].As<Napi::Number>().Uint32Value();
  auto tables = info[3].As<Napi::Float32Array>();
  auto out = info[4].As<Napi::Float32Array>();
  if (src.ByteLength() < count * record || tables.ElementLength() < count * 256 || out.ElementLength() < count * record) {
    Napi::RangeError::New(env, "applyTables: an array is too short").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  for (size_t n = 0; n < count; n++) {
    const float* table = tables.Data() + n * 256;
    const uint8_t* s = src.Data() + n * record;
    float* o = out.Data() + n * record;
    for (size_t i = 0; i < record; i++) o[i] = table[s[i]];
  }
  return env.Undefined();
}

}  // namespace

void InitAugment(Napi::Env env, Napi::Object exports) {
  exports.Set("resampleRecords", Napi::Function::New(env, ResampleRecords));
  exports.Set("applyTables", Napi::Function::New(env, ApplyTables));
}
