// Test helpers: run the same computation on 'onednn' and on tfjs's CPU backend and compare.
import * as tf from '@tensorflow/tfjs';
import '../src/index';

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

export {tf};
