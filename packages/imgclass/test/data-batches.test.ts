import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Batch, BatchIterator, DatasetError, decodeImage, ImageFolderData, imageToTensor, loadImageFolder, normalizeImage } from '../src/data';
import { makeClassFolders, tempDir } from './data-helpers';

let dir: string;
let cleanup: () => Promise<void>;
let data: ImageFolderData;
const SIZE = 8;

before(async () => {
  ({ dir, cleanup } = await tempDir());
  await makeClassFolders(path.join(dir, 'train'), { cat: 6, dog: 5 }, 12);
  data = await loadImageFolder({
    roots: path.join(dir, 'train'), cacheDir: path.join(dir, 'cache'), preprocessing: { size: SIZE }, seed: 7, onWarning: () => undefined,
  });
});
after(async () => {
  await data.close();
  await cleanup();
});

/** Drains an iterator, keeping plain copies and disposing every tensor. */
async function drain(iterator: BatchIterator): Promise<{ paths: string[]; labels: number[]; xs: Float32Array[]; shapes: number[][]; ys: number[][] }> {
  const out = { paths: [] as string[], labels: [] as number[], xs: [] as Float32Array[], shapes: [] as number[][], ys: [] as number[][] };
  for await (const b of iterator) {
    out.paths.push(...b.paths);
    out.labels.push(...b.labels);
    out.xs.push(b.xs.dataSync() as Float32Array);
    out.shapes.push(b.xs.shape);
    out.ys.push(Array.from(b.ys.dataSync()));
    tf.dispose([b.xs, b.ys]);
  }
  return out;
}

describe('batches', () => {
  test('float32 NHWC tensors, a partial last batch, labels that match the folders', async () => {
    const epoch = await drain(data.train.batches({ batchSize: 4 }));
    assert.deepEqual(epoch.shapes, [[4, SIZE, SIZE, 3], [4, SIZE, SIZE, 3], [3, SIZE, SIZE, 3]]);
    assert.equal(new Set(epoch.paths).size, 11);
    epoch.paths.forEach((p, i) => assert.equal(path.basename(path.dirname(p)), data.classes[epoch.labels[i]]));
    assert.deepEqual(epoch.ys.flat(), epoch.labels);
  });

  test('pixels are the decoded image, standardized', async () => {
    const epoch = await drain(data.train.batches({ batchSize: 11 }));
    const decoded = await decodeImage(epoch.paths[5], data.preprocessing);
    const expected = normalizeImage(decoded.data, data.preprocessing.normalization);
    const record = SIZE * SIZE * 3;
    assert.deepEqual(epoch.xs[0].subarray(5 * record, 6 * record), expected);
    const single = await imageToTensor(epoch.paths[5], data.preprocessing);
    assert.deepEqual(single.shape, [1, SIZE, SIZE, 3]);
    assert.deepEqual(single.dataSync(), expected);
    single.dispose();
  });

  test('dropRemainder drops the short batch', async () => {
    const iterator = data.train.batches({ batchSize: 4, dropRemainder: true });
    assert.equal(iterator.batchCount, 2);
    assert.equal((await drain(iterator)).paths.length, 8);
  });

  test('shuffling is seeded per epoch: reproducible, and different between epochs', async () => {
    const order = async (options: Parameters<typeof data.train.batches>[0]) => (await drain(data.train.batches({ batchSize: 3, ...options }))).paths;
    const e0 = await order({ epoch: 0 });
    assert.deepEqual(await order({ epoch: 0 }), e0);
    assert.notDeepEqual(await order({ epoch: 1 }), e0);
    assert.notDeepEqual(await order({ epoch: 0, seed: 8 }), e0);
    assert.deepEqual([...e0].sort(), data.train.samples.map((s) => s.path).sort());
    assert.deepEqual(await order({ shuffle: false }), data.train.samples.map((s) => s.path));
  });

  test('augmentation is seeded: same epoch, same pixels; flips really happen', async () => {
    const a = await drain(data.train.batches({ batchSize: 11, epoch: 3, augment: true }));
    const b = await drain(data.train.batches({ batchSize: 11, epoch: 3, augment: true }));
    const plain = await drain(data.train.batches({ batchSize: 11, epoch: 3 }));
    assert.deepEqual(a.paths, plain.paths);
    assert.deepEqual(a.xs, b.xs);
    assert.notDeepEqual(a.xs, plain.xs);
  });

  test('label formats: one-hot and binary', async () => {
    const onehot = await drain(data.train.batches({ batchSize: 11, labelFormat: 'onehot' }));
    assert.deepEqual(onehot.ys[0], onehot.labels.flatMap((l) => (l === 0 ? [1, 0] : [0, 1])));
    const binary = await drain(data.train.batches({ batchSize: 11, labelFormat: 'binary' }));
    assert.deepEqual(binary.ys[0], binary.labels);
    assert.throws(() => data.train.batches({ batchSize: 0 }), DatasetError);
  });

  test('prefetch statistics and no leaked tensors, even when the loop breaks early', async () => {
    const before = tf.memory().numTensors;
    const iterator = data.train.batches({ batchSize: 2, prefetch: 3 });
    let first: Batch | undefined;
    for await (const b of iterator) {
      first = b;
      break;
    }
    assert.ok(first);
    assert.equal(tf.memory().numTensors, before + 2);
    tf.dispose([first.xs, first.ys]);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(iterator.stats.batches, 1);
    assert.ok(iterator.stats.waitMs >= 0);
    assert.ok(data.train.stats.images >= 2);
  });
});

describe('model.fitDataset', () => {
  test('trains a tiny model for two epochs with validation data and leaks nothing', async () => {
    const split = await loadImageFolder({
      roots: path.join(dir, 'train'), validationSplit: 0.3, cacheDir: path.join(dir, 'cache'), preprocessing: { size: SIZE }, onWarning: () => undefined,
    });
    const model = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [SIZE, SIZE, 3] }), tfl.layers.dense({ units: 2, activation: 'softmax' })],
    });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const tensorsBefore = tf.memory().numTensors;
    const train = split.train.asTfDataset({ batchSize: 4, labelFormat: 'onehot', augment: true });
    assert.equal(train.size, Math.ceil(split.train.size / 4));
    const history = await model.fitDataset(train, {
      epochs: 2, verbose: 0, validationData: split.validation?.asTfDataset({ batchSize: 4, labelFormat: 'onehot' }),
    });
    assert.equal(history.history.loss.length, 2);
    assert.equal(history.history.val_loss.length, 2);
    assert.ok(history.history.loss.every((l) => Number.isFinite(l as number)));
    assert.equal(tf.memory().numTensors, tensorsBefore);
    // Two epochs each started exactly one shuffled pass over the training split.
    assert.equal(split.train.stats.images, 2 * split.train.size);
    model.dispose();
    await split.close();
  });
});
