// AvgPoolGrad follows TensorFlow: the true gradient of AvgPool, whose SAME-padded windows
// average only the valid pixels. tfjs's CPU backend divides by the full window there (wrong),
// so the references here are hand-computed values and the CPU backend's *forward* AvgPool
// (which is right) applied to basis vectors: AvgPool is linear, so that is its exact gradient.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {relativeError, runOn, tf} from './helpers';

test('avgPool 2x2/2 SAME on 3x3: the gradient of sum() matches PyTorch and TensorFlow', () => {
  tf.setBackend('onednn');
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  assert.deepEqual(Array.from(tf.avgPool(x, 2, 2, 'same').dataSync()), [3, 4.5, 7.5, 9]);
  const g = tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 2, 2, 'same').sum())(x);
  assert.deepEqual(Array.from(g.dataSync()), [0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1]);
});

test('the CPU backend gets this case wrong (why we do not follow it)', () => {
  const cpu = runOn('cpu', () => tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 2, 2, 'same').sum())(
      tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1])));
  tf.setBackend('onednn');
  assert.deepEqual(Array.from(cpu[0]), new Array(9).fill(0.25));
});

/** d/dx sum(avgPool(x) * w) by linearity: sum(avgPool(e_i) * w) for each basis vector e_i. */
function gradientByBasis(shape: [number, number, number, number], k: number, s: number, w: Float32Array): Float32Array {
  const size = shape.reduce((a, b) => a * b);
  const out = new Float32Array(size);
  tf.setBackend('cpu');
  for (let i = 0; i < size; i++) {
    const e = new Float32Array(size);
    e[i] = 1;
    const y = tf.tidy(() => tf.avgPool(tf.tensor4d(e, shape), k, s, 'same').dataSync());
    let acc = 0;
    for (let j = 0; j < y.length; j++) acc += y[j] * w[j];
    out[i] = acc;
  }
  tf.setBackend('onednn');
  return out;
}

test('SAME avg-pool gradients equal the exact gradient of the forward, LeNet-5 shapes included', () => {
  const cases: Array<[[number, number, number, number], number, number]> = [
    [[2, 7, 7, 3], 2, 2], [[1, 5, 6, 2], 3, 2], [[1, 9, 9, 1], 3, 3], [[1, 6, 5, 2], 3, 1], [[1, 75, 75, 1], 2, 2],
  ];
  for (const [shape, k, s] of cases) {
    tf.setBackend('onednn');
    const x = tf.randomNormal(shape, 0, 1, 'float32', 7) as tf.Tensor4D;
    const yShape = tf.avgPool(x, k, s, 'same').shape;
    const w = tf.randomNormal(yShape, 0, 1, 'float32', 8);
    const native = tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, k, s, 'same').mul(w).sum())(x).dataSync();
    const expected = gradientByBasis(shape, k, s, w.dataSync() as Float32Array);
    const error = relativeError(native as Float32Array, expected);
    assert.ok(error < 1e-5, `avgPool grad ${shape} k${k} s${s}: relative error ${error}`);
  }
});

test('finite differences agree with the avg-pool gradient at a padded edge', () => {
  tf.setBackend('onednn');
  const values = Float32Array.from({length: 25}, (_, i) => Math.sin(i));
  const f = (v: Float32Array) => tf.tidy(() => tf.avgPool(tf.tensor4d(v, [1, 5, 5, 1]), 2, 2, 'same').square().sum().dataSync()[0]);
  const g = tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 2, 2, 'same').square().sum())(
      tf.tensor4d(values, [1, 5, 5, 1])).dataSync();
  const h = 1e-2;
  for (const i of [0, 4, 20, 24, 12]) {
    const plus = values.slice(), minus = values.slice();
    plus[i] += h;
    minus[i] -= h;
    const numeric = (f(plus) - f(minus)) / (2 * h);
    assert.ok(Math.abs(numeric - g[i]) < 1e-3, `pixel ${i}: numeric ${numeric}, analytic ${g[i]}`);
  }
});
