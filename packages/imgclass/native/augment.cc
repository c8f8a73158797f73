// Row-and-column resampling of cached pictures (flip, shift, scale crop composed into per-axis
// maps by src/data/augment.ts), then per-picture lookup tables into the float32 batch. The
// arithmetic is the TypeScript reference's, in the same order and in double precision (no
// contraction into fused multiply-adds), so the bytes are identical; it is ~5x faster.
#include <napi.h>

#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

// The hot loops are compiled twice, for AVX2 and for the x86-64 baseline, and picked at load time.
#define HOT_LOOP __attribute__((target_clones("avx2", "default")))

// Horizontal blend of one input row, per output pixel: t = row[a] * u + row[b] * w for its three
// channels. The row is a copy with four zero bytes after its last pixel (offset rowLen, which
// padding reads). Bytes convert to doubles exactly, so this is the reference's arithmetic.
void BlendRowScalar(const uint8_t* row, const int32_t* a, const int32_t* b, const double* u, const double* w, int pixels,
                    double* t) {
  for (int x = 0; x < pixels; x++, t += 3) {
    const uint8_t* pa = row + a[x];
    const uint8_t* pb = row + b[x];
    const double ux = u[x], wx = w[x];
    t[0] = static_cast<double>(pa[0]) * ux + static_cast<double>(pb[0]) * wx;
    t[1] = static_cast<double>(pa[1]) * ux + static_cast<double>(pb[1]) * wx;
    t[2] = static_cast<double>(pa[2]) * ux + static_cast<double>(pb[2]) * wx;
  }
}

// The same with one pixel (and the next pixel's first byte, overwritten after) per 4-double
// vector: separate IEEE multiplies and an add per lane, as above, so the same doubles. Reads four
// bytes per pixel and writes one double past the row (`t` holds 3 * pixels + 1).
__attribute__((target("avx2"))) void BlendRowAvx2(const uint8_t* row, const int32_t* a, const int32_t* b, const double* u,
                                                  const double* w, int pixels, double* t) {
  for (int x = 0; x < pixels; x++, t += 3) {
    int32_t bytesA, bytesB;
    std::memcpy(&bytesA, row + a[x], 4);
    std::memcpy(&bytesB, row + b[x], 4);
    const __m256d va = _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(bytesA)));
    const __m256d vb = _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(bytesB)));
    _mm256_storeu_pd(t, _mm256_add_pd(_mm256_mul_pd(va, _mm256_set1_pd(u[x])), _mm256_mul_pd(vb, _mm256_set1_pd(w[x]))));
  }
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2");

void BlendRow(const uint8_t* row, const int32_t* a, const int32_t* b, const double* u, const double* w, int pixels, double* t) {
  if (kHasAvx2) {
    BlendRowAvx2(row, a, b, u, w, pixels, t);
  } else {
    BlendRowScalar(row, a, b, u, w, pixels, t);
  }
}

// A convex blend of bytes is >= 0, so truncation is the reference's Math.floor.
HOT_LOOP void BlendColumns(const double* top, const double* bottom, double u, double w, int n, uint8_t* o) {
  for (int k = 0; k < n; k++) o[k] = static_cast<uint8_t>(static_cast<int32_t>(top[k] * u + bottom[k] * w + 0.5));
}

// Rows the vertical map takes whole (weight 0): top * 1 + bottom * 0 + 0.5 is top + 0.5 exactly,
// and top is already a blend of the row, so only the rounding remains.
HOT_LOOP void RoundRow(const double* top, int n, uint8_t* o) {
  for (int k = 0; k < n; k++) o[k] = static_cast<uint8_t>(static_cast<int32_t>(top[k] + 0.5));
}

// The sum and sum of squares of one row, in 32 bits: 255^2 * rowLen fits for rows under 66,051
// values (width 22,017); ResampleRecords refuses wider pictures.
HOT_LOOP void AddSums(const uint8_t* o, int n, uint64_t* sum, uint64_t* sumSq) {
  uint32_t s = 0, q = 0;
  for (int k = 0; k < n; k++) {
    const uint32_t v = o[k];
    s += v;
    q += v * v;
  }
  *sum += s;
  *sumSq += q;
}

// A picture whose maps blend nothing (every weight 0: flips, shifts, a scale crop of exactly 1)
// is a pure gather of bytes: a * 1 + b * 0 = a in the reference's arithmetic too.
void GatherRecord(const uint8_t* image, int width, int height, const int32_t* cf, const int32_t* rf, uint8_t* dst,
                  uint64_t* sum, uint64_t* sumSq) {
  const int rowLen = width * 3;
  bool identityColumns = true;
  for (int x = 0; x < width && identityColumns; x++) identityColumns = cf[x] == x;
  for (int y = 0; y < height; y++) {
    uint8_t* o = dst + static_cast<size_t>(y) * rowLen;
    if (rf[y] < 0) {
      std::memset(o, 0, rowLen);
      continue;
    }
    const uint8_t* row = image + static_cast<size_t>(rf[y]) * rowLen;
    if (identityColumns) {
      std::memcpy(o, row, rowLen);
    } else {
      for (int x = 0; x < width; x++) {
        const int c = cf[x];
        if (c < 0) {
          o[3 * x] = o[3 * x + 1] = o[3 * x + 2] = 0;
        } else {
          o[3 * x] = row[3 * c];
          o[3 * x + 1] = row[3 * c + 1];
          o[3 * x + 2] = row[3 * c + 2];
        }
      }
    }
    AddSums(o, rowLen, sum, sumSq);
  }
}

bool AllZero(const double* w, int n) {
  for (int i = 0; i < n; i++)
    if (w[i] != 0) return false;
  return true;
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
  if (width <= 0 || height <= 0 || width > 22017) {
    Napi::RangeError::New(env, "resampleRecords: width must be 1..22017 and height at least 1").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (count < 0 || src.ByteLength() < record * count || out.ByteLength() < record * count ||
      colFirst.ElementLength() < static_cast<size_t>(width) * count || colSecond.ElementLength() < static_cast<size_t>(width) * count ||
      colWeight.ElementLength() < static_cast<size_t>(width) * count || rowFirst.ElementLength() < static_cast<size_t>(height) * count ||
      rowSecond.ElementLength() < static_cast<size_t>(height) * count || rowWeight.ElementLength() < static_cast<size_t>(height) * count ||
      sums.ElementLength() < static_cast<size_t>(count) * 2) {
    Napi::RangeError::New(env, "resampleRecords: an array is too short").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int rowLen = width * 3;
  // Blended rows hold one double more than a row: BlendRowAvx2 writes it.
  std::vector<double> zero(rowLen, 0.0), slotA(rowLen + 1), slotB(rowLen + 1);
  std::vector<uint8_t> padded(rowLen + 4, 0);  // one input row and a zero pixel (4 bytes read) after it
  std::vector<int32_t> ia(width), ib(width);
  std::vector<double> ua(width);
  for (int n = 0; n < count; n++) {
    const uint8_t* image = src.Data() + record * n;
    uint8_t* dst = out.Data() + record * n;
    const int32_t* cf = colFirst.Data() + static_cast<size_t>(width) * n;
    const int32_t* cs = colSecond.Data() + static_cast<size_t>(width) * n;
    const double* cw = colWeight.Data() + static_cast<size_t>(width) * n;
    const int32_t* rf = rowFirst.Data() + static_cast<size_t>(height) * n;
    const int32_t* rs = rowSecond.Data() + static_cast<size_t>(height) * n;
    const double* rw = rowWeight.Data() + static_cast<size_t>(height) * n;
    uint64_t sum = 0, sumSq = 0;
    if (AllZero(cw, width) && AllZero(rw, height)) {
      GatherRecord(image, width, height, cf, rf, dst, &sum, &sumSq);
    } else {
      // Per output pixel: the byte offsets of the two input pixels it blends (rowLen: the zero).
      for (int x = 0; x < width; x++) {
        ia[x] = cf[x] < 0 ? rowLen : cf[x] * 3;
        ib[x] = cs[x] < 0 ? rowLen : cs[x] * 3;
        ua[x] = 1 - cw[x];
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
        std::memcpy(padded.data(), image + static_cast<size_t>(r) * rowLen, rowLen);
        BlendRow(padded.data(), ia.data(), ib.data(), ua.data(), cw, width, target);
        return target;
      };
      for (int y = 0; y < height; y++) {
        uint8_t* o = dst + static_cast<size_t>(y) * rowLen;
        if (rw[y] == 0) {
          RoundRow(rowOf(rf[y], rf[y]), rowLen, o);
          AddSums(o, rowLen, &sum, &sumSq);
          continue;
        }
        const double* top = rowOf(rf[y], rs[y]);
        const double* bottom = rowOf(rs[y], rf[y]);
        BlendColumns(top, bottom, 1 - rw[y], rw[y], rowLen, o);
        AddSums(o, rowLen, &sum, &sumSq);
      }
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
