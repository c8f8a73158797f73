// Tensors saved for a gradient are references to the same data on this backend
// (gradients/saved_tensors.ts), not Identity kernel runs with tape nodes of their own.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {runOn, tf} from './helpers';

// Square saves its input; the caller disposes that input before the backward pass reads it.
const f = (x: tf.Tensor) => {
  const t = x.mul(2);
  const loss = tf.square(t).add(tf.exp(t)).sum();
  t.dispose();
  return loss;
};

test('a saved tensor outlives its original and gives the same gradient as the CPU backend', () => {
  const grad = (backend: string) => runOn(backend, () => tf.grad(f)(tf.tensor1d([0.5, -1, 2, 0.25])));
  assert.deepEqual(Array.from(grad('onednn')[0]).map(v => v.toFixed(4)), Array.from(grad('cpu')[0]).map(v => v.toFixed(4)));
});

test('saving tensors runs no Identity kernel and leaves no tensor behind', async () => {
  const identities = async (backend: string) => {
    tf.setBackend(backend);
    const x = tf.tensor1d([0.5, -1, 2, 0.25]);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => tf.grad(f)(x));
    const leftOver = tf.memory().numTensors - before;
    tf.dispose([x, info.result as tf.Tensor]);
    return {count: info.kernels.filter(k => k.name === 'Identity').length, leftOver};
  };
  const cpu = await identities('cpu');
  const onednn = await identities('onednn');
  assert.ok(cpu.count > 0, 'the stock engine clones saved tensors with Identity');
  assert.equal(onednn.count, 0);
  assert.equal(onednn.leftOver, cpu.leftOver);  // the gradient itself
});

test('second-order gradients still differentiate through saved tensors', () => {
  const second = (backend: string) => runOn(backend, () =>
    tf.grad((a: tf.Tensor) => tf.grad((b: tf.Tensor) => tf.square(b).mul(tf.sin(b)).sum())(a).sum())(tf.tensor1d([0.3, -1.2, 2])));
  assert.deepEqual(Array.from(second('onednn')[0]).map(v => v.toFixed(5)), Array.from(second('cpu')[0]).map(v => v.toFixed(5)));
});
