// Mixed precision's activation storage: typed arrays read as f32 or bf16, and the widening a
// float32 reader of a bf16 activation gets.
#include "common.h"

namespace onednn {

Values Storage(const Napi::Value& v) {
  const auto array = v.As<Napi::TypedArray>();
  const dt type = array.TypedArrayType() == napi_uint16_array ? dt::bf16 : dt::f32;
  void* data = static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  return {data, type, static_cast<int64_t>(array.ElementLength())};
}

namespace {

VECTOR_LOOP void Widen(const uint16_t* __restrict in, int64_t n, float* __restrict out) {
  for (int64_t i = 0; i < n; ++i) out[i] = Load(in, i);
}

// bf16ToFloat32(bits, out)
Napi::Value Bf16ToFloat32(const Napi::CallbackInfo& info) {
  const Values in = Storage(info[0]), out = Storage(info[1]);
  Chunks(in.length, kChunk, [&](int64_t s, int64_t len) { Widen(in.bits() + s, len, out.f32() + s); });
  return info.Env().Undefined();
}

}  // namespace

void InitBf16(Napi::Env env, Napi::Object exports) {
  exports.Set("bf16ToFloat32", Napi::Function::New(env, Bf16ToFloat32));
}

}  // namespace onednn
