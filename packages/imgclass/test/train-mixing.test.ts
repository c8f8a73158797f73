import '../src/backend';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Batch } from '../src/data/batch-iterator';
import { createRng, sampleBeta, shuffleInPlace } from '../src/math/rng';
import { cutMixBox, mixBatch } from '../src/train/batch-mixing';
import { softmaxCrossEntropy } from '../src/train/loss';
import { MetricsRecord, train } from '../src/train';
import { maxAbsDiff, tempDir, tinyPictureSet } from './imgclass-fixtures';

/** n pictures [height, width, 3]; picture i's values come from `value(i, k)`. */
function batchOf(n: number, height: number, width: number, labels: number[], value: (i: number, k: number) => number): Batch {
  const size = height * width * 3;
  const pixels = Float32Array.from({ length: n * size }, (_, j) => value(Math.floor(j / size), j % size));
  return {
    xs: tf.tensor4d(pixels, [n, height, width, 3]),
    ys: tf.tensor1d(labels, 'int32'),
    labels: Int32Array.from(labels),
    paths: labels.map((_, i) => `p${i}`),
  };
}

test('Beta(α, α) draws have the mean 1/2 and variance 1/(4(2α + 1)) of the distribution', () => {
  for (const alpha of [0.2, 1, 2]) {
    const rng = createRng(17);
    const draws = Array.from({ length: 40000 }, () => sampleBeta(alpha, alpha, rng));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
    assert.ok(draws.every((d) => d >= 0 && d <= 1));
    assert.ok(Math.abs(mean - 0.5) < 0.01, `α ${alpha}: mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / (4 * (2 * alpha + 1))) < 0.005, `α ${alpha}: variance ${variance}`);
  }
});

test('mixup: pictures and targets are λ·own + (1 − λ)·partner, λ and the partners drawn from the seed in order', () => {
  const labels = [0, 1, 2, 0, 1, 2];
  const noise = createRng(3);
  const values = Array.from({ length: 6 * 4 * 5 * 3 }, () => noise());
  const batch = batchOf(6, 4, 5, labels, (i, k) => values[i * 60 + k]);
  const original = (batch.xs.dataSync() as Float32Array).slice();
  const { batch: mixed, mix } = mixBatch(batch, 3, { mixup: 0.4, cutmix: 0 }, createRng(99));
  // The same draws by hand: λ first, then the permutation.
  const rng = createRng(99);
  const lambda = sampleBeta(0.4, 0.4, rng);
  const partner = shuffleInPlace([0, 1, 2, 3, 4, 5], rng);
  assert.equal(mix.method, 'mixup');
  assert.equal(mix.lambda, lambda);
  assert.deepEqual(Array.from(mix.partner), partner);
  assert.equal(mix.box, null);
  const expected = original.map((v, j) => lambda * v + (1 - lambda) * original[partner[Math.floor(j / 60)] * 60 + (j % 60)]);
  assert.ok(maxAbsDiff(mixed.xs.dataSync() as Float32Array, expected) < 1e-6);
  const targets = mixed.targets!.arraySync();
  labels.forEach((label, i) => {
    const row = [0, 0, 0];
    row[label] += lambda;
    row[labels[partner[i]]] += 1 - lambda;
    row.forEach((v, k) => assert.ok(Math.abs(targets[i][k] - v) < 1e-6, `row ${i}: ${targets[i]} vs ${row}`));
  });
  tf.dispose([mixed.xs, mixed.ys, mixed.targets!]);
});

test("CutMix: each picture holds its partner's pixels inside one box, and its target weights are the area shares", () => {
  const [n, height, width] = [5, 12, 16];
  const labels = [0, 1, 0, 1, 1];
  const batch = batchOf(n, height, width, labels, (i) => i + 1);
  const { batch: mixed, mix } = mixBatch(batch, 2, { mixup: 0, cutmix: 1 }, createRng(4));
  const rng = createRng(4);
  const drawn = sampleBeta(1, 1, rng);
  const partner = shuffleInPlace([0, 1, 2, 3, 4], rng);
  const box = cutMixBox(width, height, drawn, rng);
  assert.equal(mix.method, 'cutmix');
  assert.deepEqual(mix.box, box);
  assert.deepEqual(Array.from(mix.partner), partner);
  const area = box.width * box.height;
  assert.ok(area > 0, 'this seed gives a box');
  assert.ok(Math.abs(mix.lambda - (1 - area / (width * height))) < 1e-12, 'λ is the uncovered share');
  const pixels = mixed.xs.arraySync();
  for (let i = 0; i < n; i++) {
    let fromPartner = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        assert.deepEqual(pixels[i][y][x], new Array(3).fill(inside ? partner[i] + 1 : i + 1));
        if (inside) fromPartner++;
      }
    }
    assert.equal(fromPartner, area);
  }
  const targets = mixed.targets!.arraySync();
  labels.forEach((label, i) => {
    const row = [0, 0];
    row[label] += mix.lambda;
    row[labels[partner[i]]] += 1 - mix.lambda;
    assert.ok(Math.abs(targets[i][0] - row[0]) < 1e-6 && Math.abs(targets[i][1] - row[1]) < 1e-6);
  });
  tf.dispose([mixed.xs, mixed.ys, mixed.targets!]);
});

test("CutMix's box: side √(1 − λ) of each side around a uniform centre, clipped at the edges", () => {
  // λ = 0.75: half of each side, 100×80 → 50×40 around (50, 40): a quarter of the picture.
  assert.deepEqual(cutMixBox(100, 80, 0.75, () => 0.5), { x: 25, y: 20, width: 50, height: 40 });
  // Centred on the corner pixel (0, 0): only the quarter inside the picture remains.
  assert.deepEqual(cutMixBox(100, 80, 0.75, () => 0), { x: 0, y: 0, width: 25, height: 20 });
});

test('with both on, each batch uses one method, about half the time each', () => {
  let cutmix = 0;
  for (let seed = 0; seed < 200; seed++) {
    const { batch, mix } = mixBatch(batchOf(2, 2, 2, [0, 1], () => 0), 2, { mixup: 0.2, cutmix: 1 }, createRng(seed));
    if (mix.method === 'cutmix') cutmix++;
    tf.dispose([batch.xs, batch.ys, batch.targets!]);
  }
  assert.ok(cutmix > 70 && cutmix < 130, `${cutmix} of 200 batches used CutMix`);
});

test('with label smoothing, the loss on mixed targets is λ·loss(own labels) + (1 − λ)·loss(partner labels)', () => {
  const logits = tf.tensor2d([[2, -1, 0.5], [0.1, 0.2, 3], [-2, 1, 1], [0, 0, 0]]);
  const own = tf.tensor1d([0, 2, 1, 1], 'int32');
  const theirs = tf.tensor1d([1, 2, 0, 2], 'int32');
  const lambda = 0.3;
  const targets = tf.add(tf.mul(tf.oneHot(own, 3), lambda), tf.mul(tf.oneHot(theirs, 3), 1 - lambda)) as tf.Tensor2D;
  const mixedLoss = softmaxCrossEntropy(logits, targets, 0.1).dataSync()[0];
  const split = lambda * softmaxCrossEntropy(logits, own, 0.1).dataSync()[0] + (1 - lambda) * softmaxCrossEntropy(logits, theirs, 0.1).dataSync()[0];
  assert.ok(Math.abs(mixedLoss - split) < 1e-6, `${mixedLoss} vs ${split}`);
  tf.dispose([logits, own, theirs, targets]);
});

test('training with mixup, CutMix, label smoothing and random erasing runs, is seeded, and is saved in config.json', async () => {
  const work = tempDir();
  const set = await tinyPictureSet();
  const cacheDir = path.join(work, 'cache');
  const base = { train: set.train, test: set.test, model: 'lenet5', size: 16, batchSize: 8, lr: 1e-3, seed: 5, logEvery: 1, steps: 4 };
  const mixed = { ...base, mixup: 0.2, cutmix: 1, labelSmoothing: 0.1, augment: { flip: true, erase: 0.5 } };
  const losses = (run: string) =>
    readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricsRecord).filter((r) => r.split === 'train').map((r) => r.loss);
  const a = await train({ ...mixed, out: path.join(work, 'a') }, { cacheDir });
  const b = await train({ ...mixed, out: path.join(work, 'b') }, { cacheDir });
  const plain = await train({ ...base, out: path.join(work, 'plain') }, { cacheDir });
  assert.equal(a.steps, 4);
  assert.ok(losses(a.runDir).every(Number.isFinite));
  assert.deepEqual(losses(a.runDir).map((l) => l.toFixed(5)), losses(b.runDir).map((l) => l.toFixed(5)), 'the same seed mixes the same way');
  assert.notDeepEqual(losses(a.runDir), losses(plain.runDir));
  const config = JSON.parse(readFileSync(path.join(a.runDir, 'config.json'), 'utf8'));
  assert.deepEqual([config.mixup, config.cutmix, config.labelSmoothing, config.augment], [0.2, 1, 0.1, { flip: true, erase: 0.5 }]);
});
