// Reuses the arrays of disposed kernel outputs (float32, and bf16 activations as Uint16Array). A
// fresh array of tens of MB costs a zero-fill and a page fault per 4 KB on first touch; a training
// step allocates hundreds of MB of outputs of the same few sizes, so reusing them removes that cost.
//
// Only arrays this pool handed out are recycled, and never one that escaped: read by
// dataSync()/data() (the caller may keep it), or wrapped by a second tensor (a CPU kernel's
// zero-copy slice or reuse of an input's array).
import {totalmem} from 'os';

const CAPACITY_BYTES = Math.min(2 ** 31, totalmem() / 4);

interface Ownership {
  /** Tensors that have wrapped this array's memory; recycling is safe only at exactly one. */
  wraps: number;
  escaped: boolean;
}

const owned = new WeakMap<ArrayBuffer, Ownership>();
/** Free buffers by byte length (a float32 and a bf16 array of the same bytes share one list). */
const free = new Map<number, ArrayBuffer[]>();
let pooledBytes = 0;

function take(bytes: number): ArrayBuffer {
  const reused = free.get(bytes)?.pop();
  if (reused) pooledBytes -= bytes;
  const buffer = reused ?? new ArrayBuffer(bytes);
  owned.set(buffer, {wraps: 0, escaped: false});
  return buffer;
}

/** A float32 array of `length` elements whose contents are unspecified: kernels overwrite all of it. */
export function takeBuffer(length: number): Float32Array {
  return new Float32Array(take(length * 4));
}

/** A Uint16Array of `length` bf16 values, contents unspecified. */
export function takeBf16Buffer(length: number): Uint16Array {
  return new Uint16Array(take(length * 2));
}

type Pooled = Float32Array|Uint16Array;
const pooled = (values: unknown): values is Pooled => values instanceof Float32Array || values instanceof Uint16Array;

/** Called when a tensor is created on `values`. */
export function noteWrapped(values: unknown): void {
  if (!pooled(values)) return;
  const o = owned.get(values.buffer as ArrayBuffer);
  if (o == null) return;
  o.wraps++;
  if (values.byteLength !== values.buffer.byteLength) o.escaped = true;  // a view into it
}

/** Called when `values` leaves the backend (read by the user). */
export function noteEscaped(values: unknown): void {
  if (!pooled(values)) return;
  const o = owned.get(values.buffer as ArrayBuffer);
  if (o != null) o.escaped = true;
}

/** Called when the tensor holding `values` is freed: keeps the array for reuse if it's safe. */
export function release(values: unknown): void {
  if (!pooled(values)) return;
  const buffer = values.buffer as ArrayBuffer;
  const o = owned.get(buffer);
  if (o == null || o.escaped || o.wraps !== 1 || values.byteLength !== buffer.byteLength) return;
  owned.delete(buffer);
  if (pooledBytes + buffer.byteLength > CAPACITY_BYTES) return;
  let list = free.get(buffer.byteLength);
  if (list == null) free.set(buffer.byteLength, list = []);
  list.push(buffer);
  pooledBytes += buffer.byteLength;
}

/** Bytes held for reuse. */
export function pooledBufferBytes(): number {
  return pooledBytes;
}
