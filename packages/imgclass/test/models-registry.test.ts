import '../src/backend';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImgclassError } from '../src/errors';
import { buildModel, describeModels, lenet5, MODELS } from '../src/models';

test('models are listed with parameter counts and FLOPs at the chosen size', () => {
  const list = describeModels(150, 2);
  assert.deepEqual(list.map((m) => m.name), ['lenet5', 'alexnet', 'vgg16', 'resnet18', 'resnet18-half', 'mobilenet']);
  const byName = Object.fromEntries(list.map((m) => [m.name, m]));
  assert.equal(byName.lenet5.params, 14_606_766);
  assert.equal(byName.resnet18.params, 11_176_512 + 512 * 2 + 2 + 2 * 4800); // torchvision's body + head + BN statistics
  assert.ok(byName.mobilenet.params < 1_000_000, 'the compact network stays under a million parameters');
  assert.ok(byName.vgg16.flops > byName.resnet18.flops && byName.resnet18.flops > byName.lenet5.flops);
  for (const m of list) assert.equal(m.error, undefined);
});

test('each minimum size is exact: it builds, and one pixel less names the collapsing layer', () => {
  for (const spec of MODELS.filter((m) => m.minSize > 1)) {
    buildModel(spec.name, { size: spec.minSize, init: 'zeros' }).dispose();
    assert.throws(
      () => buildModel(spec.name, { size: spec.minSize - 1, init: 'zeros' }),
      (err: unknown) =>
        err instanceof ImgclassError &&
        err.code === 'SIZE_TOO_SMALL' &&
        new RegExp(`too small for ${spec.name}: layer '\\w+' would output 0×0×\\d+ \\(the smallest size ${spec.name} accepts is ${spec.minSize}\\)`).test(err.message),
    );
  }
});

test('unknown model names and bad sizes are one-sentence errors', () => {
  assert.throws(() => buildModel('lenet6'), /Unknown model 'lenet6'; choose one of lenet5, alexnet, vgg16, resnet18, resnet18-half, mobilenet\./);
  assert.throws(() => buildModel('lenet5', { size: 0 }), /input size must be an integer between 1 and 4096, got 0/);
  assert.throws(() => buildModel('lenet5', { classes: 1 }), /at least 2 classes/);
  assert.throws(() => buildModel('vgg16', { init: 'tutorial' }), /lenet5 only/);
});

test('a seed reproduces the initial weights; different seeds differ', () => {
  const weights = (seed: number) => {
    const m = lenet5({ size: 16, seed });
    const values = m.getWeights().map((w) => Array.from(w.dataSync()));
    m.dispose();
    return values;
  };
  assert.deepEqual(weights(5), weights(5));
  assert.notDeepEqual(weights(5)[0], weights(6)[0]);
});

test("the tutorial initialization follows the seed: conv kernels N(0, 1) truncated at 2σ, dense 0.005, biases 0.1", () => {
  const m = lenet5({ size: 32, seed: 1, init: 'tutorial' });
  const byName = Object.fromEntries(m.weights.map((w) => [w.originalName, w.read()]));
  const std = (t: tf.Tensor) => tf.moments(t).variance.sqrt().dataSync()[0];
  const conv3 = byName['conv3/kernel'];
  assert.ok(tf.max(tf.abs(conv3)).dataSync()[0] <= 2.0001);
  assert.ok(Math.abs(std(conv3) - 0.88) < 0.05, 'a normal truncated at 2σ has std ≈ 0.88σ');
  assert.ok(Math.abs(std(byName['fc1/kernel']) - 0.005 * 0.88) < 0.0005);
  for (const bias of ['conv1/bias', 'conv2/bias', 'conv3/bias', 'fc1/bias', 'fc2/bias']) {
    assert.deepEqual([...new Set(byName[bias].dataSync())], [Math.fround(0.1)]);
  }
  m.dispose();
});

test('every network trains one step at a small size without NaN', async () => {
  for (const spec of MODELS) {
    const size = Math.max(spec.minSize, 32);
    const model = buildModel(spec.name, { size, classes: 3, seed: 1 });
    const x = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
    model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
    const loss = (await model.trainOnBatch(x, y)) as number;
    assert.ok(Number.isFinite(loss), `${spec.name} loss ${loss}`);
    tf.dispose([x, y]);
    model.dispose();
  }
});
