import '../src/backend';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel, foldBatchNorm } from '../src/models';

/** Gives every BatchNormalization layer statistics and affine parameters far from the defaults. */
function randomizeBatchNorm(model: tf.LayersModel, seed: number): void {
  let s = seed;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(
      layer.getWeights().map((w, i) =>
        i === layer.getWeights().length - 1 ? tf.randomUniform(w.shape, 0.3, 3, 'float32', s++) : tf.randomNormal(w.shape, 0, 0.5, 'float32', s++),
      ),
    );
  }
}

function maxDifference(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor))).dataSync()[0]);
}

const classNames = (m: tf.LayersModel) => m.layers.map((l) => l.getClassName());

for (const name of ['resnet18-half', 'mobilenet']) {
  test(`${name}: folded BatchNorm gives the same inference outputs with no BatchNormalization or ReLU layers left`, () => {
    const model = buildModel(name, { size: 48, classes: 3, seed: 3 });
    randomizeBatchNorm(model, 7);
    const folded = foldBatchNorm(model);
    const x = tf.randomNormal([3, 48, 48, 3], 0, 1, 'float32', 11);
    assert.ok(maxDifference(model, folded, x) < 1e-5);
    assert.ok(!classNames(folded).includes('BatchNormalization'));
    // Every conv → BN → ReLU became one layer; ReLUs after a residual add stay.
    const convs = folded.layers.filter((l) => ['Conv2D', 'DepthwiseConv2D'].includes(l.getClassName()));
    assert.equal(convs.length, model.layers.filter((l) => ['Conv2D', 'DepthwiseConv2D'].includes(l.getClassName())).length);
    assert.ok(convs.every((l) => l.getConfig().useBias === true));
    const reluLayers = (m: tf.LayersModel) => m.layers.filter((l) => ['Activation', 'ReLU'].includes(l.getClassName())).length;
    assert.equal(reluLayers(folded), name === 'mobilenet' ? 0 : 8);
    assert.equal(folded.countParams() < model.countParams(), true);
    // The original keeps working with its own weights.
    assert.ok(maxDifference(model, model, x) === 0);
    folded.dispose();
    model.dispose();
    x.dispose();
  });
}

test('only a BatchNormalization that reads nothing but the convolution, and feeds what it alone feeds, is folded', () => {
  const input = tf.input({ shape: [10, 10, 4] });
  // conv with its own bias → BN → ReLU: folded, activation taken in.
  const a = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'a' }).apply(input) as tf.SymbolicTensor;
  const aBn = tf.layers.batchNormalization({ name: 'a_bn' }).apply(a) as tf.SymbolicTensor;
  const aRelu = tf.layers.activation({ activation: 'relu', name: 'a_relu' }).apply(aBn) as tf.SymbolicTensor;
  // depthwise with multiplier 2 → BN, whose output also feeds the model's second output: folded, no activation.
  const b = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false, name: 'b' }).apply(aRelu) as tf.SymbolicTensor;
  const bBn = tf.layers.batchNormalization({ name: 'b_bn' }).apply(b) as tf.SymbolicTensor;
  const bRelu = tf.layers.reLU({ maxValue: 6, name: 'b_relu6' }).apply(bBn) as tf.SymbolicTensor;
  // conv read by BN and by an add: not folded.
  const c = tf.layers.conv2d({ filters: 12, kernelSize: 1, useBias: false, name: 'c' }).apply(bRelu) as tf.SymbolicTensor;
  const cBn = tf.layers.batchNormalization({ name: 'c_bn' }).apply(c) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([c, cBn]) as tf.SymbolicTensor;
  const out1 = tf.layers.globalAveragePooling2d({ name: 'pool1' }).apply(sum) as tf.SymbolicTensor;
  const out2 = tf.layers.globalAveragePooling2d({ name: 'pool2' }).apply(bBn) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [out1, out2] });
  randomizeBatchNorm(model, 5);
  const folded = foldBatchNorm(model);
  const names = folded.layers.map((l) => l.name);
  assert.deepEqual(names.filter((n) => n.endsWith('_bn')), ['c_bn']);
  assert.ok(!names.includes('a_relu'));
  assert.ok(names.includes('b_relu6'), 'b_bn feeds an output besides the ReLU6, so the ReLU6 stays a layer');
  assert.equal(folded.getLayer('a').getConfig().activation, 'relu');
  assert.equal(folded.getLayer('b').getConfig().activation, 'linear');
  const x = tf.randomNormal([2, 10, 10, 4], 0, 1, 'float32', 2);
  const [p1, p2] = model.predict(x) as tf.Tensor[];
  const [q1, q2] = folded.predict(x) as tf.Tensor[];
  assert.ok(tf.max(tf.abs(tf.sub(p1, q1))).dataSync()[0] < 1e-5);
  assert.ok(tf.max(tf.abs(tf.sub(p2, q2))).dataSync()[0] < 1e-5);
  tf.dispose([x, p1, p2, q1, q2]);
  folded.dispose();
  model.dispose();
});

test('a model without BatchNorm after a convolution is returned as it is', () => {
  const model = buildModel('lenet5', { size: 32, init: 'zeros' });
  assert.equal(foldBatchNorm(model), model);
  model.dispose();
});

test('a folded depthwise or 1×1 convolution with ReLU6 runs as one fused kernel', async () => {
  const model = buildModel('mobilenet', { size: 32, classes: 2, seed: 1 });
  const folded = foldBatchNorm(model);
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
  const info = await tf.profile(() => folded.predict(x) as tf.Tensor);
  const kernels = info.kernels.map((k) => k.name);
  const convolutions = model.layers.filter((l) => ['Conv2D', 'DepthwiseConv2D'].includes(l.getClassName())).length;
  assert.equal(kernels.filter((k) => k === 'FusedConv2D' || k === 'FusedDepthwiseConv2D').length, convolutions);
  assert.deepEqual(kernels.filter((k) => ['Relu', 'Relu6', 'Minimum', 'ClipByValue', 'BiasAdd', 'DepthwiseConv2dNative'].includes(k)), []);
  tf.dispose(info.result);
  x.dispose();
  folded.dispose();
  model.dispose();
});
