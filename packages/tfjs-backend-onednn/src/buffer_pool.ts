// Reuses the float32 arrays of disposed kernel outputs. A fresh array of tens of MB costs a
// zero-fill and a page fault per 4 KB on first touch; a training step allocates hundreds of
// MB of outputs of the same few sizes, so reusing them removes that cost.
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
const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;

/** A float32 array of `length` elements whose contents are unspecified: kernels overwrite all of it. */
export function takeBuffer(length: number): Float32Array {
  const reused = free.get(length)?.pop();
  if (reused) {
    pooledBytes -= reused.byteLength;
    owned.set(reused.buffer as ArrayBuffer, {wraps: 0, escaped: false});
    return reused;
  }
  const fresh = new Float32Array(length);
  owned.set(fresh.buffer as ArrayBuffer, {wraps: 0, escaped: false});
  return fresh;
}

/** Called when a tensor is created on `values`. */
export function noteWrapped(values: unknown): void {
  if (!(values instanceof Float32Array)) return;
  const o = owned.get(values.buffer as ArrayBuffer);
  if (o == null) return;
  o.wraps++;
  if (values.byteLength !== values.buffer.byteLength) o.escaped = true;  // a view into it
}

/** Called when `values` leaves the backend (read by the user). */
export function noteEscaped(values: unknown): void {
  if (!(values instanceof Float32Array)) return;
  const o = owned.get(values.buffer as ArrayBuffer);
  if (o != null) o.escaped = true;
}

/** Called when the tensor holding `values` is freed: keeps the array for reuse if it's safe. */
export function release(values: unknown): void {
  if (!(values instanceof Float32Array)) return;
  const o = owned.get(values.buffer as ArrayBuffer);
  if (o == null || o.escaped || o.wraps !== 1 || values.byteLength !== values.buffer.byteLength) return;
  owned.delete(values.buffer as ArrayBuffer);
  if (pooledBytes + values.byteLength > CAPACITY_BYTES) return;
  let list = free.get(values.length);
  if (list == null) free.set(values.length, list = []);
  list.push(values);
  pooledBytes += values.byteLength;
}

/** Bytes held for reuse. */
export function pooledBufferBytes(): number {
  return pooledBytes;
}
