// No leaks: 200 training steps of a small CNN through tf.layers keep the tensor count and the
// process's resident memory flat, in float32 and in mixed precision.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as tfl from '@tensorflow/tfjs-layers';
import {tf} from './helpers';
import {Precision, setPrecision, supportsBfloat16} from '../src/index';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function smallCnn(): tfl.LayersModel {
  const model = tfl.sequential({layers: [
    tfl.layers.conv2d({inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu'}),
    tfl.layers.averagePooling2d({poolSize: 2, strides: 2, padding: 'same'}),
    tfl.layers.conv2d({filters: 8, kernelSize: 3, padding: 'same'}),
    // BatchNorm in training: native moments, normalization and gradient (gradients/batch_norm_training.ts).
    tfl.layers.batchNormalization(),
    tfl.layers.activation({activation: 'relu'}),
    tfl.layers.maxPooling2d({poolSize: 2}),
    tfl.layers.flatten(),
    tfl.layers.dense({units: 16, activation: 'relu'}),
    tfl.layers.dense({units: 2, activation: 'softmax'}),
  ]});
  model.compile({optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy']});
  return model;
}

/** Runs `step` `warmup` times (optimizer slots, primitive caches), then `steps` times: same tensor count, RSS within 32 MB. */
async function staysFlat(step: () => Promise<void>, warmup: number, steps: number) {
  for (let i = 0; i < warmup; i++) await step();
  gc();
  const tensors = tf.memory().numTensors;
  const rss = process.memoryUsage().rss;
  for (let i = 0; i < steps; i++) await step();
  gc();
  assert.equal(tf.memory().numTensors, tensors, 'tensors leaked');
  const growthMb = (process.memoryUsage().rss - rss) / 2 ** 20;
  assert.ok(growthMb < 32, `RSS grew by ${growthMb.toFixed(1)} MB over ${steps} steps`);
}

async function trainsFlat(precision: Precision) {
  tf.setBackend('onednn');
  setPrecision(precision);
  const model = smallCnn();
  const xs = tf.randomNormal([16, 16, 16, 3], 0, 1, 'float32', 1);
  const ys = tf.tensor1d(Array.from({length: 16}, (_, i) => i % 2), 'float32');
  await staysFlat(async () => { await model.trainOnBatch(xs, ys); }, 20, 200);
  setPrecision('float32');
  model.dispose();
  tf.dispose([xs, ys]);
}

test('200 training steps: tensor count and RSS stay flat', () => trainsFlat('float32'));

test('the same in mixed precision (bf16 scratch buffers are per primitive, reused)',
     {skip: supportsBfloat16() ? false : 'this CPU has no bf16 instructions'}, () => trainsFlat('bfloat16'));

// Each step's weights are new values, so each predict makes new inference copies of them
// (Winograd's transformed filters: ~0.6 MB for this 64→64 layer); the old ones must go, whether
// the optimizer wrote them in place (fused Adam) or replaced them (Adagrad's assign disposes them).
for (const optimizer of ['adam', 'adagrad']) {
  test(`predicting between ${optimizer} steps: the reordered weights kept for inference do not pile up`, async () => {
    tf.setBackend('onednn');
    const model = tfl.sequential({layers: [
      tfl.layers.conv2d({inputShape: [16, 16, 64], filters: 64, kernelSize: 3, padding: 'same', activation: 'relu'}),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({units: 2, activation: 'softmax'}),
    ]});
    model.compile({optimizer, loss: 'sparseCategoricalCrossentropy'});
    const xs = tf.randomNormal([8, 16, 16, 64], 0, 1, 'float32', 2);
    const ys = tf.tensor1d(Array.from({length: 8}, (_, i) => i % 2), 'float32');
    const step = async () => {
      await model.trainOnBatch(xs, ys);
      tf.dispose(model.predict(xs) as tf.Tensor);
    };
    await staysFlat(step, 10, 100);
    model.dispose();
    tf.dispose([xs, ys]);
  });
}
