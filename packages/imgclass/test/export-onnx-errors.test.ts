import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { resolvePreprocessing } from '../src/data/config';
import { classifierOutputs, maxAbsDifference } from '../src/export/classifier-outputs';
import { ExportError } from '../src/export/export-error';
import { exportOnnx } from '../src/export/onnx-export';
import { probeBatch } from '../src/export/onnx-verify';
import { samePadding } from '../src/export/tf-padding';
import type { Classifier } from '../src/trained-network/load-classifier';
import { seededClassifier, tempDir } from './export-fixtures';

function classifier(model: tf.LayersModel, size: [number, number]): Classifier {
  return { model, classes: ['a', 'b', 'c'], preprocessing: resolvePreprocessing({ size }), modelName: 'custom', source: 'memory' };
}

function exportError(reason: string, pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ExportError, String(err));
    assert.equal(err.reason, reason);
    assert.match(err.message, pattern);
    return true;
  };
}

describe('ONNX export: TF SAME padding', () => {
  test('is split with the odd pixel after, as TensorFlow does', () => {
    assert.deepEqual(samePadding(32, 2, 2), [0, 0]);
    assert.deepEqual(samePadding(33, 2, 2), [0, 1]);
    assert.deepEqual(samePadding(32, 3, 2), [0, 1]);
    assert.deepEqual(samePadding(32, 7, 2), [2, 3]);
    assert.deepEqual(samePadding(15, 3, 1), [1, 1]);
    assert.deepEqual(samePadding(10, 3, 1, 2), [2, 2]);
  });
});

describe('ONNX export of layers beyond the built-in models', () => {
  test('activations, LeakyReLU, Concatenate, ZeroPadding2D, dilation, depthwise ×2, odd sizes: onnxruntime agrees', async () => {
    // Odd, non-square input so every SAME padding here is asymmetric.
    const input = tf.input({ shape: [13, 11, 3] });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'elu', name: 'dilated' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2, padding: 'same', activation: 'selu', name: 'dw2' }).apply(input) as tf.SymbolicTensor;
    const bUp = tf.layers.zeroPadding2d({ padding: [[3, 4], [2, 3]], name: 'pad' }).apply(b) as tf.SymbolicTensor;
    const bFit = tf.layers.conv2d({ filters: 6, kernelSize: [2, 1], padding: 'valid', activation: 'softsign', name: 'fit' }).apply(bUp) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: 'concat' }).apply([a, bFit]) as tf.SymbolicTensor;
    const chain = [
      tf.layers.batchNormalization({ center: false, scale: false, name: 'bn_plain' }),
      tf.layers.activation({ activation: 'swish', name: 'swish' }),
      tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'avg_same' }),
      tf.layers.leakyReLU({ alpha: 0.2, name: 'leaky' }),
      tf.layers.activation({ activation: 'hardSigmoid', name: 'hard' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'max_same' }),
      tf.layers.activation({ activation: 'softplus', name: 'softplus' }),
    ];
    const features = chain.reduce((x, l) => l.apply(x) as tf.SymbolicTensor, joined);
    const pooledMax = tf.layers.globalMaxPooling2d({ name: 'gmax' }).apply(features) as tf.SymbolicTensor;
    const flat = tf.layers.flatten({ name: 'flat' }).apply(features) as tf.SymbolicTensor;
    const both = tf.layers.concatenate({ name: 'both' }).apply([pooledMax, flat]) as tf.SymbolicTensor;
    const hidden = tf.layers.dense({ units: 8, useBias: false, activation: 'tanh', name: 'nobias' }).apply(both) as tf.SymbolicTensor;
    const hidden2 = tf.layers.dense({ units: 8, activation: 'relu6', name: 'relu6' }).apply(hidden) as tf.SymbolicTensor;
    const sig = tf.layers.activation({ activation: 'sigmoid', name: 'sig' }).apply(hidden2) as tf.SymbolicTensor;
    const scores = tf.layers.dense({ units: 3, name: 'scores' }).apply(sig) as tf.SymbolicTensor;
    const output = tf.layers.softmax({ name: 'softmax' }).apply(scores) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    // Non-trivial BatchNorm statistics.
    const bn = model.getLayer('bn_plain');
    bn.setWeights(bn.getWeights().map((w, i) => tf.fill(w.shape, i === 0 ? 0.1 : 1.7)));
    const c = classifier(model, [11, 13]);
    const file = path.join(tempDir(), 'zoo.onnx');
    const result = await exportOnnx(c, { out: file });
    assert.ok(result.check?.passed);

    const batch = probeBatch(c.preprocessing, 6, 123);
    const x = tf.tensor4d(batch, [6, 13, 11, 3]);
    const expected = await classifierOutputs(model, x);
    x.dispose();
    const session = await ort.InferenceSession.create(file);
    const out = await session.run({ input: new ort.Tensor('float32', batch, [6, 13, 11, 3]) });
    await session.release();
    const probabilityDiff = maxAbsDifference(expected.probabilities, out.probabilities.data as Float32Array);
    assert.ok(probabilityDiff < 1e-5, `probabilities differ by ${probabilityDiff}`);
    assert.ok('logits' in out, 'a Softmax layer at the end also exposes the logits');
    model.dispose();
  });
});

describe('ONNX export refuses, and writes nothing, when it cannot be faithful', () => {
  test('an unsupported layer is named in the error', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const up = tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, name: 'upsample' }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(up) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 3, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor });
    const file = path.join(tempDir(), 'up.onnx');
    await assert.rejects(exportOnnx(classifier(model, [8, 8]), { out: file }), exportError('UNSUPPORTED_LAYER', /layer 'upsample' \(Conv2DTranspose\) is not supported/));
    assert.equal(existsSync(file), false);
    model.dispose();
  });

  test('a model whose ONNX form disagrees with imgclass (NaN weights) fails its round-trip check and is not written', async () => {
    const c = seededClassifier('lenet5', 16);
    const fc1 = c.model.getLayer('fc1');
    const [kernel, bias] = fc1.getWeights();
    fc1.setWeights([kernel, tf.fill(bias.shape, NaN)]);
    const dir = tempDir();
    const file = path.join(dir, 'nan.onnx');
    await assert.rejects(exportOnnx(c, { out: file }), exportError('CHECK_FAILED', /disagrees with imgclass .* was not written/));
    assert.deepEqual(readdirSync(dir), [], 'no file, no temporary file');
    c.model.dispose();
  });

  test('an existing file is kept unless forced', async () => {
    const c = seededClassifier('lenet5', 16);
    const file = path.join(tempDir(), 'model.onnx');
    writeFileSync(file, 'precious');
    await assert.rejects(exportOnnx(c, { out: file }), exportError('OUTPUT_EXISTS', /already exists/));
    const forced = await exportOnnx(c, { out: file, force: true });
    assert.ok(forced.bytes > 1000);
    c.model.dispose();
  });
});
