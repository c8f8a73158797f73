import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadImageFolder } from '../src/data';
import { SHARED_DATASETS, tempDir } from './data-helpers';

const TEST_FOLDER = path.join(SHARED_DATASETS, 'cats-vs-dogs', 'test');

test('real cats-vs-dogs/test folder: decode, cache, standardized batches', async (t) => {
  if (!existsSync(TEST_FOLDER)) {
    t.skip(`dataset not present at ${TEST_FOLDER}`);
    return;
  }
  const { dir, cleanup } = await tempDir();
  try {
    const warnings: string[] = [];
    const data = await loadImageFolder({
      roots: TEST_FOLDER, validationSplit: 0.2, cacheDir: path.join(dir, 'cache'), onWarning: (m) => warnings.push(m),
    });
    assert.deepEqual(data.classes, ['cat', 'dog']);
    const total = data.train.size + (data.validation?.size ?? 0);
    assert.equal(total + data.report.skipped.length, 662);
    assert.ok(data.report.skipped.length < 5, data.report.summary);
    assert.ok(data.report.imageSize && data.report.imageSize.medianWidth > 150);
    assert.equal(data.report.formats.jpeg, total);

    let seen = 0;
    for await (const { xs, ys, labels } of data.train.batches({ batchSize: 32, augment: true })) {
      assert.deepEqual(xs.shape.slice(1), [150, 150, 3]);
      assert.equal(xs.dtype, 'float32');
      assert.equal(ys.shape[0], labels.length);
      if (seen === 0) {
        // Every image is standardized on its own: mean 0, std 1.
        const values = xs.dataSync() as Float32Array;
        const record = 150 * 150 * 3;
        for (let i = 0; i < labels.length; i++) {
          const img = values.subarray(i * record, (i + 1) * record);
          const mean = img.reduce((a, b) => a + b, 0) / record;
          const std = Math.sqrt(img.reduce((a, b) => a + (b - mean) ** 2, 0) / record);
          assert.ok(Math.abs(mean) < 1e-4 && Math.abs(std - 1) < 1e-3, `image ${i}: mean ${mean}, std ${std}`);
        }
      }
      seen += labels.length;
      tf.dispose([xs, ys]);
    }
    assert.equal(seen, data.train.size);
    await data.close();

    const cached = await loadImageFolder({ roots: TEST_FOLDER, validationSplit: 0.2, cacheDir: path.join(dir, 'cache'), onWarning: () => undefined });
    assert.equal(cached.report.cache.decoded, 0);
    assert.deepEqual(cached.validation?.samples.map((s) => s.path), data.validation?.samples.map((s) => s.path));
    await cached.close();
  } finally {
    await cleanup();
  }
});
