import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { classifierOutputs, maxAbsDifference } from '../src/export/classifier-outputs';
import { ExportError } from '../src/export/export-error';
import { exportTfjs } from '../src/export/tfjs-export';
import { resolvePreprocessing } from '../src/data/config';
import { loadClassifier } from '../src/trained-network/load-classifier';
import type { Classifier } from '../src/trained-network/load-classifier';
import { HAVE_PICTURES, NO_PICTURES_REASON, pictures, preprocessedBatch, seededClassifier, tempDir, trainedLenet5 } from './export-fixtures';
import { predictWithStockTfjs } from './export-stock-tfjs';

const TOLERANCE = 1e-4;

/** Exports `c`, predicts `count` real pictures with stock tfjs (child process, CPU) and compares with imgclass. */
async function compareWithStockTfjs(c: Classifier, label: string, count: number, shardBytes?: number) {
  const dir = path.join(tempDir(), label);
  const result = await exportTfjs(c, { out: dir, shardBytes });
  const batch = await preprocessedBatch(pictures('test', count), c);
  const input = tf.tensor4d(batch.data, batch.shape);
  const reference = await classifierOutputs(c.model, input);
  input.dispose();
  const stock = await predictWithStockTfjs(dir, batch.data, batch.shape);
  assert.equal(stock.backend, 'cpu');
  assert.ok(reference.logits);
  const logitDiff = maxAbsDifference(reference.logits, stock.logits);
  const probabilityDiff = maxAbsDifference(reference.probabilities, stock.probabilities);
  console.log(`${label}: ${count} pictures, stock tfjs ${stock.tfjs} (cpu) vs imgclass (${tf.getBackend()}): max |Δ logit| ${logitDiff.toExponential(2)}, max |Δ p| ${probabilityDiff.toExponential(2)}`);
  assert.ok(logitDiff < TOLERANCE, `${label}: logits differ by ${logitDiff}`);
  assert.ok(probabilityDiff < TOLERANCE, `${label}: probabilities differ by ${probabilityDiff}`);
  return { dir, result };
}

describe('TensorFlow.js export, loaded by stock @tensorflow/tfjs in a separate process', { skip: HAVE_PICTURES ? false : NO_PICTURES_REASON }, () => {
  test('trained lenet5: 100 pictures, several weight shards, metadata.json, readable by imgclass again', async () => {
    const c = await trainedLenet5();
    const { dir, result } = await compareWithStockTfjs(c, 'lenet5-trained', 100, 1 << 20);
    const shards = readdirSync(dir).filter((f) => /^group1-shard\d+of\d+\.bin$/.test(f));
    assert.ok(shards.length >= 2, `expected several shards, got ${shards.join(', ')}`);
    assert.deepEqual(result.customLayerScripts, []);
    const meta = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8'));
    assert.deepEqual(meta.classes, ['cat', 'dog']);
    assert.deepEqual(meta.input, { width: 32, height: 32, channels: 3, layout: 'NHWC', dtype: 'float32' });
    assert.equal(meta.resizeMode, 'stretch');
    assert.deepEqual(meta.normalization, { kind: 'standardize' });
    assert.equal(meta.imgclassVersion, '0.1.0');
    const again = await loadClassifier(dir);
    assert.deepEqual(again.classes, c.classes);
    assert.deepEqual(again.preprocessing, c.preprocessing);
    again.model.dispose();
    c.model.dispose();
  });

  // VGG-16 is left out here: its layers (Conv2D, MaxPooling2D, Dense, Dropout) are all in AlexNet, and
  // stock tfjs' pure-JS CPU backend needs ~30 s for it; the ONNX test covers VGG-16 on 100 pictures.
  for (const [name, size] of [['alexnet', 67], ['resnet18', 32], ['mobilenet', 32]] as const) {
    test(`${name} at ${size}×${size} (seeded weights): 16 pictures`, async () => {
      const c = seededClassifier(name, size);
      const { result } = await compareWithStockTfjs(c, `${name}-${size}`, 16);
      // AlexNet's LRN is not a tfjs layer: the export ships the script that defines it.
      assert.deepEqual(result.customLayerScripts, name === 'alexnet' ? ['imgclass-layers.js'] : []);
      c.model.dispose();
    });
  }
});

describe('TensorFlow.js export refuses what it cannot do, leaving nothing behind', () => {
  test('a layer class tfjs does not know is named in the error and no folder is written', async () => {
    class Doubler extends tf.layers.Layer {
      static readonly className = 'Doubler';
      override call(inputs: tf.Tensor | tf.Tensor[]) {
        return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 2);
      }
    }
    const input = tf.input({ shape: [8, 8, 3] });
    const doubled = new Doubler({ name: 'times_two' }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(doubled) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const out = path.join(tempDir(), 'custom');
    const c = { model, classes: ['a', 'b'], preprocessing: resolvePreprocessing({ size: 8 }), modelName: 'custom', source: 'memory' };
    await assert.rejects(exportTfjs(c, { out }), (err: unknown) => {
      assert.ok(err instanceof ExportError);
      assert.equal(err.reason, 'UNSUPPORTED_LAYER');
      assert.match(err.message, /layer 'times_two' \(Doubler\)/);
      return true;
    });
    assert.equal(existsSync(out), false);
    assert.deepEqual(readdirSync(path.dirname(out)).filter((f) => f.includes('custom')), [], 'no staging folder is left');
    model.dispose();
  });

  test('an existing output is kept unless --force', async () => {
    const c = seededClassifier('lenet5', 16);
    const out = path.join(tempDir(), 'model');
    await exportTfjs(c, { out });
    await assert.rejects(exportTfjs(c, { out }), /already exists; choose another --out or pass --force/);
    const again = await exportTfjs(c, { out, force: true });
    assert.ok(again.files.includes('model.json'));
    assert.deepEqual(readdirSync(path.dirname(out)), ['model'], 'the replaced folder is gone, no leftovers');
    c.model.dispose();
  });
});
