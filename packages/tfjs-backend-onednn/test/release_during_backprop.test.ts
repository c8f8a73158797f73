// The backward pass frees each node's output gradients and saved tensors once its gradient has
// run (gradients/release_during_backprop.ts), with the same gradients as tfjs's own backprop.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {runOn, tf} from './helpers';

/**
 * A chain of `depth` ops on a [64, 1024] tensor, with a custom op at its start whose gradient
 * records how many bytes are alive when the backward pass reaches it (the end of the pass).
 */
function chainGradient(depth: number): {grad: Float32Array, bytesAtStart: number} {
  let bytesAtStart = 0;
  const probe = tf.customGrad((x: tf.Tensor) => ({
    value: x.clone(),
    gradFunc: (dy: tf.Tensor) => {
      bytesAtStart = tf.memory().numBytes;
      return dy.mul(1);
    },
  }));
  const f = (x: tf.Tensor) => {
    let y = probe(x) as tf.Tensor;
    for (let i = 0; i < depth; i++) y = i % 2 ? tf.relu(y).add(0.5) : tf.sigmoid(y).mul(1.5);
    return y.sum();
  };
  const x = tf.randomNormal([64, 1024], 0, 1, 'float32', 1);
  const grad = tf.grad(f)(x);
  const values = grad.dataSync() as Float32Array;
  tf.dispose([x, grad]);
  return {grad: values, bytesAtStart};
}

test('intermediate gradients and saved tensors are freed during the backward pass', () => {
  tf.setBackend('cpu');
  const stock = chainGradient(20);
  tf.setBackend('onednn');
  const released = chainGradient(20);
  assert.deepEqual(Array.from(released.grad.slice(0, 64)).map(v => v.toFixed(4)),
                   Array.from(stock.grad.slice(0, 64)).map(v => v.toFixed(4)));
  // tfjs keeps 20 ops' gradients and saved tensors (each 256 KB) until the end; here a handful remain.
  const tensorBytes = 64 * 1024 * 4;
  assert.ok(stock.bytesAtStart > 20 * tensorBytes, `stock: ${stock.bytesAtStart} bytes`);
  assert.ok(released.bytesAtStart < 6 * tensorBytes, `released: ${released.bytesAtStart} bytes`);
});

test("the caller's dy, gradients returned as they are, and higher-order gradients survive", () => {
  const check = (backend: string) => runOn(backend, () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const dy = tf.tensor1d([1, 2, 3]);
    // A custom gradient that hands dy on unchanged: it becomes the next node's dy.
    const passThrough = tf.customGrad((a: tf.Tensor) => ({value: a.clone(), gradFunc: (g: tf.Tensor) => g}));
    const f = (a: tf.Tensor) => passThrough(tf.sin(a).mul(a)) as tf.Tensor;
    const g1 = tf.grad(f)(x, dy);
    const dyAfter = dy.add(0);  // throws if the backward pass disposed the caller's dy
    const second = tf.grad((a: tf.Tensor) => tf.grad((b: tf.Tensor) => tf.sin(b).mul(b).sum())(a).sum())(x);
    return [g1, dyAfter, second];
  });
  const [cpu, onednn] = [check('cpu'), check('onednn')];
  for (let i = 0; i < cpu.length; i++) {
    assert.deepEqual(Array.from(onednn[i]).map(v => v.toFixed(5)), Array.from(cpu[i]).map(v => v.toFixed(5)));
  }
});
