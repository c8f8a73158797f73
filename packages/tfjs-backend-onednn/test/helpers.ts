// Test helpers: run the same computation on 'onednn' and on tfjs's CPU backend and compare.
import * as tf from '@tensorflow/tfjs';
import {setPrecision, supportsBfloat16} from '../src/index';

/** A small deterministic PRNG (mulberry32) for shapes and attributes. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Runs `f` on a backend and returns every output's values (tensors are created inside `f`). */
export function runOn(backend: string, f: () => tf.Tensor|tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const out = f();
    return (Array.isArray(out) ? out : [out]).map(t => t.dataSync() as Float32Array);
  });
}

/** Largest |a - b| relative to the reference's scale (max |b|, at least 1e-3). */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let scale = 1e-3, worst = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst / scale;
}

/** Compares 'onednn' against 'cpu' on the same function; returns the worst relative error. */
export function compareWithCpu(f: () => tf.Tensor|tf.Tensor[]): number {
  const native = runOn('onednn', f);
  const cpu = runOn('cpu', f);
  tf.setBackend('onednn');
  return Math.max(...native.map((a, i) => relativeError(a, cpu[i])));
}

/** ||a - b|| / ||b||. */
export function relativeL2(a: Float32Array, b: Float32Array): number {
  let diff = 0, norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / Math.max(norm, 1e-12));
}

/** For the mixed-precision tests: their skip reason on a CPU without bf16 instructions. */
export const skipWithoutBf16 = supportsBfloat16() ? false : 'this CPU has no bf16 instructions';

/** Runs f in bf16 mode, then returns to float32. */
export function inBf16<T>(f: () => T): T {
  setPrecision('bfloat16');
  try {
    return f();
  } finally {
    setPrecision('float32');
  }
}

export {tf};
