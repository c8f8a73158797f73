import '../src/backend';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, truncateSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { resolvePreprocessing } from '../src/data/config';
import { loadModelFiles, saveModelFiles } from '../src/trained-network/model-files';
import { readTensorFile, writeTensorFile } from '../src/io/tensor-file';
import { buildModel } from '../src/models';
import { tempDir } from './imgclass-fixtures';

const metadata = { model: 'lenet5', classes: ['cat', 'dog'], preprocessing: resolvePreprocessing({ size: 16 }), steps: 7 };

async function savedModel(name: string, options = {}): Promise<{ dir: string; model: tf.LayersModel }> {
  const dir = path.join(tempDir(), name);
  const model = buildModel('lenet5', { size: 16, seed: 1, ...options });
  await saveModelFiles(model, dir, metadata);
  return { dir, model };
}

test('a saved model is TensorFlow.js layers format and loads back with identical outputs and its metadata', async () => {
  const { dir, model } = await savedModel('roundtrip', { lrn: true });
  assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'weights.bin'], 'no temporary files left behind');
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, ['./weights.bin']);
  assert.equal(json.userDefinedMetadata.imgclass.classes[1], 'dog');

  const loaded = await loadModelFiles(dir);
  assert.deepEqual(loaded.metadata.classes, ['cat', 'dog']);
  assert.deepEqual(loaded.metadata.preprocessing, metadata.preprocessing);
  assert.equal(loaded.metadata.steps, 7);
  const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 3);
  const a = (model.predict(x) as tf.Tensor).dataSync();
  const b = (loaded.model.predict(x) as tf.Tensor).dataSync();
  assert.deepEqual(Array.from(b), Array.from(a));
  model.dispose();
  loaded.model.dispose();
});

test('a truncated weights.bin is a clear error', async () => {
  const { dir, model } = await savedModel('truncated');
  model.dispose();
  truncateSync(path.join(dir, 'weights.bin'), 100);
  await assert.rejects(loadModelFiles(dir), /Cannot load the model '.*model\.json': the weights are 100 bytes but model\.json describes \d+ \(truncated or mismatched weights\.bin\)\./);
});

test('a malformed or foreign model.json is a clear error', async () => {
  const { dir, model } = await savedModel('malformed');
  model.dispose();
  const file = path.join(dir, 'model.json');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, text.length / 2));
  await assert.rejects(loadModelFiles(dir), /model\.json is not valid JSON \(truncated or malformed\)\./);
  writeFileSync(file, JSON.stringify({ hello: 1 }));
  await assert.rejects(loadModelFiles(dir), /has no modelTopology or weightsManifest/);
  const foreign = JSON.parse(text);
  delete foreign.userDefinedMetadata;
  writeFileSync(file, JSON.stringify(foreign));
  await assert.rejects(loadModelFiles(dir), /has no imgclass metadata/);
  await assert.rejects(loadModelFiles(path.join(dir, 'nothing.json')), /the file does not exist/);
});

test('weights from another save (same size, other values) fail the checksum', async () => {
  const { dir, model } = await savedModel('mismatch');
  model.dispose();
  const weights = readFileSync(path.join(dir, 'weights.bin'));
  weights[weights.length - 1] ^= 0xff;
  writeFileSync(path.join(dir, 'weights.bin'), weights);
  await assert.rejects(loadModelFiles(dir), /do not match the checksum in model\.json/);
});

test('checkpoint files round-trip tensors and metadata, and detect truncation and bit flips', async () => {
  const file = path.join(tempDir(), 'x.ckpt');
  const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const n = tf.scalar(42, 'int32');
  await writeTensorFile(file, { step: 9 }, { model: [{ name: 'a', tensor: a }], optimizer: [{ name: 'iter', tensor: n }] });
  const back = await readTensorFile<{ step: number }>(file);
  assert.equal(back.meta.step, 9);
  assert.deepEqual(back.groups.model[0].tensor.arraySync(), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(back.groups.optimizer[0].tensor.dtype, 'int32');
  assert.equal(back.groups.optimizer[0].tensor.dataSync()[0], 42);

  const bytes = readFileSync(file);
  bytes[bytes.length - 10] ^= 1;
  writeFileSync(file, bytes);
  await assert.rejects(readTensorFile(file), /is truncated or corrupt \(checksum mismatch\)/);
  writeFileSync(file, bytes.subarray(0, 20));
  await assert.rejects(readTensorFile(file), /is truncated or corrupt/);
  writeFileSync(file, 'hello world, not a checkpoint');
  await assert.rejects(readTensorFile(file), /is not an imgclass checkpoint/);
});

test('copyFileAtomic makes best.ckpt an independent copy: damage to or pruning of the step file leaves it whole', async () => {
  const { copyFileAtomic } = await import('../src/io/atomic-file');
  const { mkdtempSync, statSync, unlinkSync } = await import('node:fs');
  const os = await import('node:os');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imgclass-copy-'));
  const step = path.join(dir, 'step-0000010.ckpt');
  const best = path.join(dir, 'best.ckpt');
  writeFileSync(best, 'older best');
  writeFileSync(step, 'weights of step 10');
  await copyFileAtomic(step, best);
  assert.equal(readFileSync(best, 'utf8'), 'weights of step 10');
  assert.notEqual(statSync(best).ino, statSync(step).ino, 'its own file, not a second name of the step checkpoint');
  writeFileSync(step, 'damaged'); // written in place: a hard link would have changed best.ckpt too
  assert.equal(readFileSync(best, 'utf8'), 'weights of step 10');
  unlinkSync(step); // pruning the step checkpoint
  assert.equal(readFileSync(best, 'utf8'), 'weights of step 10');
  assert.deepEqual(readdirSync(dir), ['best.ckpt'], 'no temporary file left');
});
