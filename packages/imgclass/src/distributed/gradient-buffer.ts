// The arithmetic of combining per-part gradients into the batch's gradient,
// shared by data-parallel ranks (summed by MPI) and micro-batches (summed
// here), so that both give the same float32 results.
import * as tf from '@tensorflow/tfjs';

/** Total number of gradient values. */
export function gradientLength(grads: tf.NamedTensorMap): number {
  return Object.values(grads).reduce((n, g) => n + g.size, 0);
}

/**
 * Writes (add: false) or adds (add: true) every gradient × `weight` into
 * `buffer` in key order, each product rounded to float32 first, as it is when
 * a rank writes its part into the buffer that MPI sums.
 */
export function accumulateWeighted(buffer: Float32Array, grads: tf.NamedTensorMap, weight: number, add: boolean): void {
  let offset = 0;
  for (const name of Object.keys(grads)) {
    const values = grads[name].dataSync() as Float32Array;
    if (add) for (let i = 0; i < values.length; i++) buffer[offset + i] += Math.fround(values[i] * weight);
    else for (let i = 0; i < values.length; i++) buffer[offset + i] = values[i] * weight;
    offset += values.length;
  }
}

/** The summed buffer divided by the batch's picture count, as tensors shaped and named like `like`. */
export function averagedGradients(buffer: Float32Array, like: tf.NamedTensorMap, images: number): tf.NamedTensorMap {
  const scale = 1 / images;
  const out: tf.NamedTensorMap = {};
  let offset = 0;
  for (const name of Object.keys(like)) {
    const size = like[name].size;
    // A copy per tensor: tfjs keeps the array it is given, and the buffer is reused next step.
    const values = buffer.slice(offset, offset + size);
    for (let i = 0; i < size; i++) values[i] *= scale;
    out[name] = tf.tensor(values, like[name].shape, 'float32');
    offset += size;
  }
  return out;
}
