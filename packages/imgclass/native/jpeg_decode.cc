// Fast path of the first pass: plain JPEGs decoded with libjpeg-turbo at a DCT-reduced scale
// (1/2, 1/4, 1/8: shrink-on-load), then resized with a triangle (antialiased bilinear) filter,
// all on one libuv thread per batch of files. Through sharp the same work cost ~4 ms of CPU per
// photo, mostly libvips' per-call set-up and thread hand-offs (~24 context switches per picture);
// here it is ~0.6 ms. Anything unusual (not a JPEG, CMYK, EXIF rotation, an ICC profile, a libjpeg
// warning or error, an unreadable file, a bomb) is reported as "not handled" and the caller decodes
// it with sharp, which also names the reason a file is skipped.
#include <napi.h>

#include <csetjmp>
#include <cstdio>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

extern "C" {
#include <jpeglib.h>
}

namespace {

// Per-image result slots in the info array.
constexpr int kInfoFields = 5;  // status, sourceWidth, sourceHeight, sum, sumSq
constexpr double kDecoded = 0;
constexpr double kNotHandled = 1;

struct ErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
};

void OnError(j_common_ptr cinfo) {
  longjmp(reinterpret_cast<ErrorManager*>(cinfo->err)->jump, 1);
}

// Any warning (corrupt data, premature end) hands the file to sharp, whose policy decides.
void OnMessage(j_common_ptr cinfo, int level) {
  if (level < 0) longjmp(reinterpret_cast<ErrorManager*>(cinfo->err)->jump, 1);
}

// A buffer that grows without zero-filling (std::vector::resize writes every new byte, which with
// the page faults of fresh memory was ~10% of a first pass). Kept per libuv thread between calls;
// one above kKeepBytes (a huge file or picture) is released after use.
template <typename T>
class Scratch {
 public:
  T* Reserve(size_t count) {
    if (count > capacity_) {
      data_.reset(new T[count]);
      capacity_ = count;
    }
    return data_.get();
  }
  T* data() { return data_.get(); }
  void Trim() {
    if (capacity_ * sizeof(T) > kKeepBytes) {
      data_.reset();
      capacity_ = 0;
    }
  }

 private:
  static constexpr size_t kKeepBytes = 8 << 20;
  std::unique_ptr<T[]> data_;
  size_t capacity_ = 0;
};

// Reads a regular file whole into `bytes`; its length in `length`.
bool ReadWholeFile(const std::string& path, Scratch<unsigned char>& bytes, size_t& length) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
  if (ok) {
    length = static_cast<size_t>(st.st_size);
    unsigned char* data = bytes.Reserve(length);
    size_t done = 0;
    while (done < length) {
      ssize_t n = read(fd, data + done, length - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ok = done == length;
  }
  close(fd);
  return ok;
}

// EXIF orientation from IFD0 of an APP1 "Exif" segment; 1 when absent or unreadable.
int ExifOrientation(const jpeg_saved_marker_ptr marker) {
  const unsigned char* d = marker->data;
  const unsigned len = marker->data_length;
  if (len < 14 || std::memcmp(d, "Exif\0\0", 6) != 0) return 1;
  const unsigned char* tiff = d + 6;
  const unsigned size = len - 6;
  const bool little = tiff[0] == 'I' && tiff[1] == 'I';
  if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
  auto u16 = [&](unsigned at) { return little ? tiff[at] | (tiff[at + 1] << 8) : (tiff[at] << 8) | tiff[at + 1]; };
  auto u32 = [&](unsigned at) {
    return little ? static_cast<unsigned>(u16(at)) | (static_cast<unsigned>(u16(at + 2)) << 16)
                  : (static_cast<unsigned>(u16(at)) << 16) | static_cast<unsigned>(u16(at + 2));
  };
  unsigned ifd = u32(4);
  if (ifd + 2 > size) return 1;
  unsigned entries = u16(ifd);
  for (unsigned i = 0; i < entries; i++) {
    unsigned e = ifd + 2 + i * 12;
    if (e + 12 > size) return 1;
    if (u16(e) == 0x0112) return u16(e + 8);
  }
  return 1;
}

// Triangle-filter taps for resizing `in` samples to `out` (support scaled with the reduction,
// as Pillow's BILINEAR and libvips' linear reduce do), normalised to sum 1. `extent` is the
// length the samples really cover: a DCT-scaled row of a width that is not a multiple of the
// scale ends in a partial sample, so ceil(width / scale) samples span only width / scale.
struct Taps {
  std::vector<int> first;
  std::vector<int> count;
  std::vector<float> weights;  // count[i] consecutive weights per output sample, padded to `stride`
  int stride = 0;
};

Taps MakeTaps(int in, double extent, int out) {
  Taps t;
  const double scale = extent / out;
  const double radius = std::max(scale, 1.0);
  t.stride = static_cast<int>(std::ceil(radius)) * 2 + 1;
  t.first.resize(out);
  t.count.resize(out);
  t.weights.assign(static_cast<size_t>(out) * t.stride, 0.f);
  std::vector<double> w;
  w.reserve(t.stride + 2);
  for (int o = 0; o < out; o++) {
    const double centre = (o + 0.5) * scale;
    int lo = std::max(0, static_cast<int>(std::floor(centre - radius)));
    int hi = std::min(in, static_cast<int>(std::ceil(centre + radius)));
    double total = 0;
    w.clear();
    for (int i = lo; i < hi; i++) {
      double v = 1.0 - std::fabs((i + 0.5 - centre) / radius);
      w.push_back(v > 0 ? v : 0);
      total += w.back();
    }
    // Trim zero weights at both ends so the inner loops only touch contributing samples.
    int a = 0, b = static_cast<int>(w.size());
    while (a < b && w[a] == 0) a++;
    while (b > a && w[b - 1] == 0) b--;
    t.first[o] = lo + a;
    t.count[o] = b - a;
    for (int k = a; k < b; k++) t.weights[static_cast<size_t>(o) * t.stride + (k - a)] = static_cast<float>(w[k] / total);
  }
  return t;
}

// The vertical loops are compiled for AVX2 and for the x86-64 baseline, picked at load time.
#define HOT_LOOP __attribute__((target_clones("avx2", "default")))

// One input row through the horizontal taps: per output pixel, r, g and b each accumulate
// w[k] * byte in tap order. SSE2 keeps the three (and a fourth, unused lane: the next byte) in
// one vector with separate multiplies and adds per lane, so the floats are the scalar loop's.
// Reads one byte past the last pixel and writes one float past the last output value.
void ResizeRow(const unsigned char* line, const Taps& h, int outW, float* o) {
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  for (int x = 0; x < outW; x++, o += 3) {
    const float* w = h.weights.data() + static_cast<size_t>(x) * h.stride;
    const unsigned char* s = line + h.first[x] * 3;
    __m128 sum = _mm_setzero_ps();
    for (int k = 0; k < h.count[x]; k++, s += 3) {
      int32_t bytes;
      std::memcpy(&bytes, s, 4);
      const __m128i wide = _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(bytes), zero), zero);
      sum = _mm_add_ps(sum, _mm_mul_ps(_mm_set1_ps(w[k]), _mm_cvtepi32_ps(wide)));
    }
    _mm_storeu_ps(o, sum);
  }
#else
  for (int x = 0; x < outW; x++, o += 3) {
    const float* w = h.weights.data() + static_cast<size_t>(x) * h.stride;
    const unsigned char* s = line + h.first[x] * 3;
    float r = 0, g = 0, b = 0;
    for (int k = 0; k < h.count[x]; k++, s += 3) {
      r += w[k] * s[0];
      g += w[k] * s[1];
      b += w[k] * s[2];
    }
    o[0] = r;
    o[1] = g;
    o[2] = b;
  }
#endif
}

HOT_LOOP void AccumulateRow(const float* __restrict s, float wk, int n, float* __restrict acc) {
  for (int i = 0; i < n; i++) acc[i] += wk * s[i];
}

// Rounds up to kRoundChunk values of an output row to bytes and adds their exact sum and sum of
// squares, counted in 32 bits within the chunk (16384 * 255^2 < 2^32).
constexpr int kRoundChunk = 16384;
// Truncating first and clamping the integer gives the bytes of clamping first (the taps are
// convex, so every value is within 0..255 give or take rounding, far inside int32), and vectorizes.
HOT_LOOP void RoundRow(const float* __restrict acc, int n, unsigned char* __restrict o, unsigned long long* sum,
                       unsigned long long* sumSq) {
  uint32_t s = 0, q = 0;
  for (int i = 0; i < n; i++) {
    const int32_t truncated = static_cast<int32_t>(acc[i] + 0.5f);
    const uint32_t v = static_cast<uint32_t>(std::min(std::max(truncated, 0), 255));
    o[i] = static_cast<unsigned char>(v);
    s += v;
    q += v * v;
  }
  *sum += s;
  *sumSq += q;
}

// Separable resize of packed RGB: rows first into a float buffer, then columns, rounded to bytes;
// returns the exact sum and sum of squares of the bytes (standardization statistics, as
// pixelSums() computes them). `src` has one readable byte after its last pixel; `rows` and `acc`
// are the caller's reused scratch.
void ResizeRgb(const unsigned char* src, int inW, int inH, double extentW, double extentH, unsigned char* dst, int outW, int outH,
               Scratch<float>& rowsScratch, Scratch<float>& accScratch, unsigned long long* sum, unsigned long long* sumSq) {
  const Taps h = MakeTaps(inW, extentW, outW);
  const Taps v = MakeTaps(inH, extentH, outH);
  const int rowLen = outW * 3;
  float* rows = rowsScratch.Reserve(static_cast<size_t>(inH) * rowLen + 1);  // + the float ResizeRow writes past
  float* acc = accScratch.Reserve(static_cast<size_t>(rowLen));
  for (int y = 0; y < inH; y++) ResizeRow(src + static_cast<size_t>(y) * inW * 3, h, outW, rows + static_cast<size_t>(y) * rowLen);
  *sum = 0;
  *sumSq = 0;
  for (int y = 0; y < outH; y++) {
    const float* w = v.weights.data() + static_cast<size_t>(y) * v.stride;
    std::fill(acc, acc + rowLen, 0.f);
    for (int k = 0; k < v.count[y]; k++) AccumulateRow(rows + static_cast<size_t>(v.first[y] + k) * rowLen, w[k], rowLen, acc);
    for (int i = 0; i < rowLen; i += kRoundChunk) {
      RoundRow(acc + i, std::min(kRoundChunk, rowLen - i), dst + static_cast<size_t>(y) * rowLen + i, sum, sumSq);
    }
  }
}

struct Outcome {
  bool decoded = false;
  int sourceWidth = 0;
  int sourceHeight = 0;
  int scaledWidth = 0;  // what libjpeg decoded into the scratch buffer
  int scaledHeight = 0;
  int denom = 1;
};

// Decodes `bytes` into `dst` (outW x outH x 3) when it is a plain JPEG; otherwise decoded = false.
Outcome DecodeJpeg(const unsigned char* bytes, size_t length, int outW, int outH, double maxPixels,
                   Scratch<unsigned char>& scratch) {
  Outcome result;
  if (length < 4 || bytes[0] != 0xff || bytes[1] != 0xd8) return result;
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = OnError;
  err.pub.emit_message = OnMessage;
  jpeg_create_decompress(&cinfo);
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return Outcome();
  }
  jpeg_mem_src(&cinfo, bytes, static_cast<unsigned long>(length));
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xffff);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 2, 0xffff);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 14, 0xffff);
  jpeg_read_header(&cinfo, TRUE);
  bool plain = (cinfo.jpeg_color_space == JCS_YCbCr && cinfo.num_components == 3) ||
               (cinfo.jpeg_color_space == JCS_GRAYSCALE && cinfo.num_components == 1);
  // Colour-managed (ICC), Adobe-transformed and EXIF-rotated pictures keep sharp's handling.
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m && plain; m = m->next) {
    if (m->marker == JPEG_APP0 + 2 || m->marker == JPEG_APP0 + 14) plain = false;
    if (m->marker == JPEG_APP0 + 1 && ExifOrientation(m) != 1) plain = false;
  }
  const double pixels = static_cast<double>(cinfo.image_width) * cinfo.image_height;
  if (!plain || pixels > maxPixels || cinfo.image_width == 0 || cinfo.image_height == 0) {
    jpeg_destroy_decompress(&cinfo);
    return result;
  }
  cinfo.out_color_space = JCS_RGB;
  // The largest DCT reduction that still leaves at least the target size on both axes.
  int denom = 1;
  while (denom < 8 && cinfo.image_width / (denom * 2) >= static_cast<unsigned>(outW) &&
         cinfo.image_height / (denom * 2) >= static_cast<unsigned>(outH)) {
    denom *= 2;
  }
  cinfo.scale_num = 1;
  cinfo.scale_denom = denom;
  jpeg_start_decompress(&cinfo);
  const int w = static_cast<int>(cinfo.output_width);
  const int h = static_cast<int>(cinfo.output_height);
  const size_t stride = static_cast<size_t>(w) * 3;
  unsigned char* decoded = scratch.Reserve(stride * h + 1);  // + the byte ResizeRow reads past the last pixel
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = decoded + cinfo.output_scanline * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  result.sourceWidth = static_cast<int>(cinfo.image_width);
  result.sourceHeight = static_cast<int>(cinfo.image_height);
  result.scaledWidth = w;
  result.scaledHeight = h;
  result.denom = denom;
  jpeg_destroy_decompress(&cinfo);
  result.decoded = true;
  return result;
}

class DecodeWorker : public Napi::AsyncWorker {
 public:
  DecodeWorker(Napi::Env env, std::vector<std::string> paths, std::vector<std::vector<unsigned char>> buffers,
               int width, int height, double maxPixels)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        paths_(std::move(paths)),
        buffers_(std::move(buffers)),
        width_(width),
        height_(height),
        maxPixels_(maxPixels) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    const size_t n = paths_.empty() ? buffers_.size() : paths_.size();
    const size_t record = static_cast<size_t>(width_) * height_ * 3;
    // Not zeroed: every record the caller reads is written below (the others are marked not handled).
    pixels_.reset(new uint8_t[n * record]);
    pixelBytes_ = n * record;
    info_.assign(n * kInfoFields, 0);
    // Per libuv thread, reused by every call it runs.
    thread_local Scratch<unsigned char> file, scratch;
    thread_local Scratch<float> rows, acc;
    for (size_t i = 0; i < n; i++) {
      double* info = info_.data() + i * kInfoFields;
      info[0] = kNotHandled;
      const unsigned char* bytes;
      size_t length;
      if (paths_.empty()) {
        bytes = buffers_[i].data();
        length = buffers_[i].size();
      } else {
        if (!ReadWholeFile(paths_[i], file, length)) continue;
        bytes = file.data();
      }
      Outcome r = DecodeJpeg(bytes, length, width_, height_, maxPixels_, scratch);
      if (!r.decoded) continue;
      unsigned char* out = pixels_.get() + i * record;
      unsigned long long sum, sumSq;
      ResizeRgb(scratch.data(), r.scaledWidth, r.scaledHeight, static_cast<double>(r.sourceWidth) / r.denom,
                static_cast<double>(r.sourceHeight) / r.denom, out, width_, height_, rows, acc, &sum, &sumSq);
      info[0] = kDecoded;
      info[1] = r.sourceWidth;
      info[2] = r.sourceHeight;
      info[3] = static_cast<double>(sum);
      info[4] = static_cast<double>(sumSq);
    }
    file.Trim();
    scratch.Trim();
    rows.Trim();
    acc.Trim();
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object result = Napi::Object::New(env);
    // Handed over without a copy; freed when the garbage collector drops the array.
    const size_t bytes = pixelBytes_;
    auto buffer = Napi::ArrayBuffer::New(env, pixels_.release(), bytes, [](Napi::Env, void* data) { delete[] static_cast<uint8_t*>(data); });
    auto pixels = Napi::Uint8Array::New(env, bytes, buffer, 0);
    auto info = Napi::Float64Array::New(env, info_.size());
    if (!info_.empty()) std::memcpy(info.Data(), info_.data(), info_.size() * sizeof(double));
    result.Set("pixels", pixels);
    result.Set("info", info);
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<std::string> paths_;
  std::vector<std::vector<unsigned char>> buffers_;
  int width_;
  int height_;
  double maxPixels_;
  std::unique_ptr<uint8_t[]> pixels_;
  size_t pixelBytes_ = 0;
  std::vector<double> info_;
};

// decodeJpegs(inputs: string[] | Uint8Array[], width, height, maxInputPixels)
//   -> Promise<{ pixels: Uint8Array (n*width*height*3), info: Float64Array (n*5) }>
Napi::Value DecodeJpegs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsArray()) {
    Napi::TypeError::New(env, "decodeJpegs(inputs, width, height, maxInputPixels)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array inputs = info[0].As<Napi::Array>();
  std::vector<std::string> paths;
  std::vector<std::vector<unsigned char>> buffers;
  for (uint32_t i = 0; i < inputs.Length(); i++) {
    Napi::Value v = inputs.Get(i);
    if (v.IsString()) {
      paths.push_back(v.As<Napi::String>().Utf8Value());
    } else if (v.IsTypedArray()) {
      auto a = v.As<Napi::Uint8Array>();
      buffers.emplace_back(a.Data(), a.Data() + a.ByteLength());
    } else {
      Napi::TypeError::New(env, "inputs must be all paths or all Uint8Arrays").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  if (!paths.empty() && !buffers.empty()) {
    Napi::TypeError::New(env, "inputs must be all paths or all Uint8Arrays").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int width = info[1].As<Napi::Number>().Int32Value();
  const int height = info[2].As<Napi::Number>().Int32Value();
  const double maxPixels = info[3].As<Napi::Number>().DoubleValue();
  auto* worker = new DecodeWorker(env, std::move(paths), std::move(buffers), width, height, maxPixels);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

void InitAugment(Napi::Env env, Napi::Object exports);  // augment.cc

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("decodeJpegs", Napi::Function::New(env, DecodeJpegs));
  InitAugment(env, exports);
  return exports;
}

NODE_API_MODULE(imgclass_native, Init)
