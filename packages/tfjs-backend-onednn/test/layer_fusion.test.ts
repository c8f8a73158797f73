// layers/relu_fusion.ts and layers/batch_norm_layer.ts: in a tf.layers model's graph, a
// BatchNormalization or Add followed only by a ReLU layer computes the ReLU itself. Checked
// against the same layers called one by one (never fused) on this backend, bit for bit, in
// float32 and bf16; against tfjs's CPU backend; and where fusing would be wrong.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {setPrecision} from '../src/index';
import {relativeError, skipWithoutBf16, tf} from './helpers';

const init = (seed: number) => tf.initializers.glorotNormal({seed});

/** conv → BN → ReLU → a residual block with a projection shortcut → pooling → dense. */
function residualNetwork() {
  const conv = (name: string, filters: number, kernelSize: number, strides: number, seed: number) =>
    tf.layers.conv2d({name, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: init(seed)});
  const bn = (name: string) => tf.layers.batchNormalization({name, momentum: 0.9, epsilon: 1e-5});
  const relu = (name: string) => tf.layers.activation({name, activation: 'relu'});
  const layers = {
    conv1: conv('conv1', 8, 3, 1, 1), bn1: bn('bn1'), relu1: relu('relu1'),
    conv2: conv('conv2', 12, 3, 2, 2), bn2: bn('bn2'), relu2: tf.layers.reLU({name: 'relu2'}),
    conv3: conv('conv3', 12, 3, 1, 3), bn3: bn('bn3'),
    proj: conv('proj', 12, 1, 2, 4), projBn: bn('proj_bn'),
    add: tf.layers.add({name: 'add'}), out: relu('out'),
    pool: tf.layers.globalAveragePooling2d({name: 'pool'}),
    dense: tf.layers.dense({name: 'dense', units: 3, activation: 'softmax', kernelInitializer: init(5)}),
  };
  type Apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor|tf.Tensor|Array<tf.SymbolicTensor|tf.Tensor>) => unknown;
  /** The graph, on symbolic tensors (building the model) or, layer by layer, on tensors. */
  const forward = <T>(x: T, apply: Apply): T => {
    const l = layers;
    const a = (layer: tf.layers.Layer, input: unknown) => apply(layer, input as tf.Tensor) as T;
    const stem = a(l.relu1, a(l.bn1, a(l.conv1, x)));
    const main = a(l.bn3, a(l.conv3, a(l.relu2, a(l.bn2, a(l.conv2, stem)))));
    const shortcut = a(l.projBn, a(l.proj, stem));
    return a(l.dense, a(l.pool, a(l.out, a(l.add, [main, shortcut]))));
  };
  const input = tf.input({shape: [8, 8, 3]});
  const model = tf.model({inputs: input, outputs: forward(input, (layer, x) => layer.apply(x))});
  /** The same network with each layer called directly: outside a model's graph, so nothing is fused. */
  const layerByLayer = (x: tf.Tensor) => forward(x, (layer, t) => layer.apply(t, {training: true}));
  return {model, layerByLayer};
}

const X = () => tf.randomNormal([4, 8, 8, 3], 0.3, 1.5, 'float32', 21);
const LABELS = () => tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3);

/** The model's output in training mode and the gradients of a loss for every trainable weight. */
function lossAndGradients(forward: (x: tf.Tensor) => tf.Tensor, model: tf.LayersModel) {
  return tf.tidy(() => {
    const x = X(), labels = LABELS();
    let output: Float32Array|undefined;
    const {value, grads} = tf.variableGrads(() => {
      const y = forward(x);
      output = y.dataSync() as Float32Array;
      return tf.losses.softmaxCrossEntropy(labels, y) as tf.Scalar;
    }, model.trainableWeights.map(w => w.read()));
    return {
      output: output!,
      loss: value.dataSync()[0],
      grads: model.trainableWeights.map(w => ({name: w.name, values: grads[w.read().name].dataSync() as Float32Array})),
    };
  });
}

/** Names of the kernels `f` runs. */
async function kernelsRun(f: () => unknown): Promise<string[]> {
  return (await tf.profile(() => {
    f();
  })).kernels.map(k => k.name);
}

interface Network {
  model: tf.LayersModel;
  /** The same layers called one by one (outside the model's graph, so never fused). */
  layerByLayer: (x: tf.Tensor) => tf.Tensor;
}

/**
 * The model in training mode against its layers called one by one: `kernels` run fused[i] and
 * unfused[i] times. Output, loss and gradients bit for bit — except the gradients with
 * `bf16Gradients` 'near float32': each as close to the float32 ones as layer by layer's (within
 * 25%, or 1e-3).
 */
async function fusedMatchesLayerByLayer(
    {model, layerByLayer}: Network, precision: string,
    expected: {kernels: string[], fused: number[], unfused: number[]}, gradients: 'exact'|'near float32' = 'exact') {
  tf.setBackend('onednn');
  let unfused!: ReturnType<typeof lossAndGradients>, fused!: ReturnType<typeof lossAndGradients>;
  const unfusedKernels = await kernelsRun(() => unfused = lossAndGradients(layerByLayer, model));
  const fusedKernels = await kernelsRun(() => fused = lossAndGradients(x => model.apply(x, {training: true}) as tf.Tensor, model));
  const counts = (kernels: string[]) => expected.kernels.map(name => kernels.filter(k => k === name).length);
  assert.deepEqual(counts(fusedKernels), expected.fused, fusedKernels.join(', '));
  assert.deepEqual(counts(unfusedKernels), expected.unfused, unfusedKernels.join(', '));
  assert.deepEqual(Array.from(fused.output), Array.from(unfused.output), `${precision}: output`);
  assert.equal(fused.loss, unfused.loss, `${precision}: loss`);
  if (gradients === 'exact') {
    fused.grads.forEach((g, i) => assert.deepEqual(Array.from(g.values), Array.from(unfused.grads[i].values),
                                                   `${precision}: gradient of ${g.name}`));
  } else {
    setPrecision('float32');
    const reference = lossAndGradients(layerByLayer, model);
    setPrecision('bfloat16');
    fused.grads.forEach((g, i) => {
      const fusedError = relativeError(g.values, reference.grads[i].values);
      const layerError = relativeError(unfused.grads[i].values, reference.grads[i].values);
      assert.ok(fusedError <= Math.max(1.25 * layerError, 1e-3),
                `${precision}: gradient of ${g.name}: ${fusedError} from float32's, layer by layer ${layerError}`);
    });
  }
  model.dispose();
}

const RESIDUAL_KERNELS = {kernels: ['OnednnBatchNormReluLayer', 'OnednnAddRelu', 'Relu'], fused: [2, 1, 0], unfused: [0, 0, 3]};

/**
 * Three trainOnBatch steps of `network()` on `backend`: then the prediction and every weight, and
 * the kernels the steps ran (those on pictures, rank 4, by name; the loss's tagged as such).
 */
async function trainThreeSteps(backend: string, network: () => Network) {
  tf.setBackend(backend);
  const {model} = network();
  model.compile({optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy'});
  const x = X(), labels = LABELS();
  const profile = await tf.profile(async () => {
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, labels);
  });
  const prediction = model.predict(x) as tf.Tensor;
  const values = [prediction, ...model.weights.map(w => w.read())].map(t => t.dataSync() as Float32Array);
  const names = ['prediction', ...model.weights.map(w => w.name)];
  model.dispose();
  tf.dispose([x, labels, prediction]);
  // The loss clips probabilities too: only the kernels on pictures are the layers' under test.
  return {values, names, kernels: profile.kernels.map(k => k.inputShapes[0]?.length === 4 ? k.name : `${k.name} (loss)`)};
}

/** The network trained on 'onednn' as on tfjs's CPU backend (within 1e-4); the kernels it ran on 'onednn'. */
async function trainsAsCpuBackend(network: () => Network): Promise<(name: string) => number> {
  const cpu = await trainThreeSteps('cpu', network);
  const onednn = await trainThreeSteps('onednn', network);
  tf.setBackend('onednn');
  onednn.values.forEach((actual, i) => {
    const error = relativeError(actual, cpu.values[i]);
    assert.ok(error <= 1e-4, `${onednn.names[i]}: relative error ${error}`);
  });
  return name => onednn.kernels.filter(k => k === name).length;
}

test('ReLU folded into BatchNorm and Add: the same values and gradients as the layers called one by one (float32)', async () => {
  await fusedMatchesLayerByLayer(residualNetwork(), 'float32', RESIDUAL_KERNELS);
});

test('ReLU folded into BatchNorm and Add: the same values and gradients as the layers called one by one (bf16)',
     {skip: skipWithoutBf16}, async () => {
  setPrecision('bfloat16');
  try {
    await fusedMatchesLayerByLayer(residualNetwork(), 'bf16', RESIDUAL_KERNELS);
  } finally {
    setPrecision('float32');
  }
});

test('a training step folds each ReLU into its BatchNorm or Add, and trains as the CPU backend does', async () => {
  const count = await trainsAsCpuBackend(residualNetwork);
  // Per step: BN+ReLU twice (bn1, bn2), BN alone twice (bn3, the projection's), Add+ReLU once.
  assert.equal(count('OnednnBatchNormReluLayer'), 6);
  assert.equal(count('OnednnBatchNormLayer'), 6);
  assert.equal(count('OnednnAddRelu'), 3);
  assert.equal(count('Relu') + count('OnednnMoments') + count('Identity'), 0);
});

/**
 * MobileNet's pattern: conv → BN → ReLU(maxValue 6) → depthwise → BN → ReLU6 → pooling → dense.
 * `gamma` scales the normalized values, so that a share of them is clipped at 6.
 */
function cappedNetwork(gamma: number) {
  const bn = (name: string) => tf.layers.batchNormalization(
      {name, momentum: 0.9, epsilon: 1e-5, gammaInitializer: tf.initializers.constant({value: gamma})});
  const relu6 = (name: string) => tf.layers.reLU({name, maxValue: 6});
  const layers = [
    tf.layers.conv2d({name: 'conv', filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(11)}),
    bn('bn1'), relu6('relu1'),
    tf.layers.depthwiseConv2d({name: 'dw', kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: init(12)}),
    bn('bn2'), relu6('relu2'),
    tf.layers.globalAveragePooling2d({name: 'pool'}),
    tf.layers.dense({name: 'dense', units: 3, activation: 'softmax', kernelInitializer: init(13)}),
  ];
  const input = tf.input({shape: [8, 8, 3]});
  const output = layers.reduce((x, layer) => layer.apply(x) as tf.SymbolicTensor, input);
  const model = tf.model({inputs: input, outputs: output});
  const layerByLayer = (x: tf.Tensor, depth = layers.length) =>
      layers.slice(0, depth).reduce((t, layer) => layer.apply(t, {training: true}) as tf.Tensor, x);
  /** The share of the first ReLU6's outputs at the cap. */
  const clippedShare = (x: tf.Tensor) => tf.tidy(() => tf.mean(tf.equal(layerByLayer(x, 3), 6).toFloat()).dataSync()[0]);
  return {model, layerByLayer: (x: tf.Tensor) => layerByLayer(x), clippedShare};
}

const CAPPED_KERNELS = {kernels: ['OnednnBatchNormReluLayer', 'Relu', 'ClipByValue'], fused: [2, 0, 0], unfused: [0, 2, 2]};

/** cappedNetwork(gamma), checking first that the share of the first ReLU6's outputs at 6 is within `clipped`. */
function cappedNetworkClipping(gamma: number, clipped: [number, number]): Network {
  tf.setBackend('onednn');
  const network = cappedNetwork(gamma);
  const share = tf.tidy(() => network.clippedShare(X()));
  assert.ok(share >= clipped[0] && share <= clipped[1], `${share} of the first ReLU6's outputs at 6`);
  return network;
}

test('ReLU6 folded into BatchNorm: the same values and gradients as the layers called one by one (float32, a third clipped)', async () => {
  await fusedMatchesLayerByLayer(cappedNetworkClipping(6, [0.1, 0.5]), 'float32', CAPPED_KERNELS);
});

// In bf16 the gradients are not bit for bit: tf.layers' ClipByValue has no bf16 form, so layer by
// layer the next convolution's input, and the gradient it hands back, are float32 where the fused
// layers keep bf16. (And a normalized value within 1/64 of 6 rounds to 6 itself, where Relu +
// ClipByValue pass the gradient and the fused layer, as TensorFlow's Relu6Grad, does not: here
// values stay below the cap.)
test('ReLU6 folded into BatchNorm: the same values as the layers called one by one, gradients as near float32 (bf16)',
     {skip: skipWithoutBf16}, async () => {
  setPrecision('bfloat16');
  try {
    await fusedMatchesLayerByLayer(cappedNetworkClipping(1, [0, 0]), 'bf16', CAPPED_KERNELS, 'near float32');
  } finally {
    setPrecision('float32');
  }
});

test('a training step folds each ReLU6 into its BatchNorm, and trains as the CPU backend does', async () => {
  const count = await trainsAsCpuBackend(() => cappedNetwork(6));
  assert.equal(count('OnednnBatchNormReluLayer'), 6);
  assert.equal(count('Relu') + count('ClipByValue') + count('OnednnClipGrad'), 0);
});

test('a BatchNorm whose output is also a model output is not rectified; layers called directly are not fused', () => {
  tf.setBackend('onednn');
  const input = tf.input({shape: [6, 6, 2]});
  const conv = tf.layers.conv2d({filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(7)});
  const bn = tf.layers.batchNormalization({});
  const normalized = bn.apply(conv.apply(input)) as tf.SymbolicTensor;
  const rectified = tf.layers.activation({activation: 'relu'}).apply(normalized) as tf.SymbolicTensor;
  const model = tf.model({inputs: input, outputs: [normalized, rectified]});
  const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 8);
  const [n, r] = model.apply(x, {training: true}) as tf.Tensor[];
  assert.ok(n.min().dataSync()[0] < 0, 'the normalized output keeps its negative values');
  assert.deepEqual(Array.from(r.dataSync()), Array.from(tf.relu(n).dataSync()));
  // The same BatchNorm, followed only by a ReLU in another model: called directly it still normalizes only.
  const other = tf.layers.activation({activation: 'relu'});
  tf.model({inputs: input, outputs: other.apply(bn.apply(conv.apply(input))) as tf.SymbolicTensor});
  const direct = bn.apply(conv.apply(x), {training: true}) as tf.Tensor;
  assert.ok(direct.min().dataSync()[0] < 0);
  tf.dispose([x, n, r, direct]);
  model.dispose();
});

test('fused layers leak no tensors over training steps and predictions', async () => {
  tf.setBackend('onednn');
  const {model} = residualNetwork();
  model.compile({optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy'});
  const x = X(), labels = LABELS();
  const step = async () => {
    await model.trainOnBatch(x, labels);
    tf.dispose(model.predict(x) as tf.Tensor);
    tf.dispose(model.apply(x, {training: true}) as tf.Tensor);
  };
  await step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await step();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, labels]);
  model.dispose();
});
