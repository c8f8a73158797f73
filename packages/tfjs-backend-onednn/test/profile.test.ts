// profile.ts: time per kernel, and of it the time inside oneDNN's primitives (what the
// vs-PyTorch benchmark sets beside PyTorch's DNNL_VERBOSE sum).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {primitiveTime, startKernelProfile, stopKernelProfile} from '../src/index';
import {tf} from './helpers';

test('a profile times each kernel, and counts the oneDNN primitives a convolution runs but not an elementwise add', () => {
  tf.setBackend('onednn');
  const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 1);
  const w = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 2);
  tf.tidy(() => tf.conv2d(x, w, 1, 'same').dataSync());  // primitives created outside the profile

  startKernelProfile();
  tf.tidy(() => {
    tf.conv2d(x, w, 1, 'same').dataSync();
    tf.conv2d(x, w, 1, 'same').dataSync();
  });
  const convTimes = stopKernelProfile();
  assert.equal(convTimes.Conv2D?.calls, 2);
  const convPrimitives = primitiveTime();
  assert.ok(convPrimitives.calls >= 2, `${convPrimitives.calls} primitive calls`);
  assert.ok(convPrimitives.ms > 0 && convPrimitives.ms <= convTimes.Conv2D.ms,
            `${convPrimitives.ms} ms inside oneDNN of ${convTimes.Conv2D.ms} ms in Conv2D`);

  startKernelProfile();
  tf.tidy(() => tf.add(x, x).dataSync());  // this backend's own loop: no oneDNN primitive
  const addTimes = stopKernelProfile();
  assert.equal(addTimes.Add?.calls, 1);
  assert.deepEqual(primitiveTime(), {ms: 0, calls: 0});

  tf.tidy(() => tf.conv2d(x, w, 1, 'same').dataSync());  // outside a profile: not counted
  assert.deepEqual(primitiveTime(), {ms: 0, calls: 0});
  tf.dispose([x, w]);
});
