import '../src/backend';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../src/cli/main';
import { resolvePreprocessing } from '../src/data/config';
import { loadEvaluationSet } from '../src/data/load-image-folder';
import { evaluate, predictDataset } from '../src/evaluate';
import { saveModelFiles } from '../src/trained-network/model-files';
import { buildModel } from '../src/models';
import { predict, TTA_CROP_FRACTION, ttaViews } from '../src/predict';
import { captureOutput, maxAbsDiff, tempDir, tinyPictureSet } from './imgclass-fixtures';

const preprocessing = resolvePreprocessing({ size: 32 });
let work: string;
let cacheDir: string;
let modelDir: string;
let testDir: string;
let classes: string[];
let model: tf.LayersModel;

before(async () => {
  work = tempDir();
  cacheDir = path.join(work, 'cache');
  const set = await tinyPictureSet();
  testDir = set.test;
  classes = set.classes;
  model = buildModel('lenet5', { size: 32, classes: classes.length, seed: 5 });
  modelDir = path.join(work, 'model');
  await saveModelFiles(model, modelDir, { model: 'lenet5', classes, preprocessing });
});

test('predict with tta reports the mean of the picture and its mirror image (flipped on disk with sharp)', async () => {
  const file = path.join(testDir, classes[0], readdirSync(path.join(testDir, classes[0]))[0]);
  const mirrored = path.join(work, 'mirrored.png');
  await sharp(file).flop().png().toFile(mirrored);
  const probabilities = async (f: string, tta: boolean) => {
    const [p] = await predict(modelDir, f, { top: classes.length, tta });
    return classes.map((c) => (p.top.find((t) => t.className === c) as { probability: number }).probability);
  };
  const plain = await probabilities(file, false);
  const flipped = await probabilities(mirrored, false);
  const augmented = await probabilities(file, true);
  classes.forEach((_, i) => assert.ok(Math.abs(augmented[i] - (plain[i] + flipped[i]) / 2) < 1e-3, `${augmented} vs ${plain} / ${flipped}`));
});

test('predictDataset with tta averages the plain and the flipped batches; plain probabilities stay as without it', async () => {
  const data = await loadEvaluationSet({ roots: testDir, classes, preprocessing, cacheDir });
  try {
    const withTta = await predictDataset(model, data.dataset, 8, { tta: true });
    const without = await predictDataset(model, data.dataset, 8);
    assert.equal(without.augmentedProbs, undefined);
    assert.ok(maxAbsDiff(withTta.probs, without.probs) < 1e-6);
    const expected: number[] = [];
    for await (const batch of data.dataset.batches({ batchSize: 8, shuffle: false, augment: false })) {
      const mean = tf.tidy(() => {
        const mirrored = tf.reverse(batch.xs, 2); // width axis of [n, height, width, 3]
        return tf.div(tf.add(model.predict(batch.xs) as tf.Tensor, model.predict(mirrored) as tf.Tensor), 2);
      });
      expected.push(...(await mean.data()));
      tf.dispose([mean, batch.xs, batch.ys]);
    }
    assert.ok(maxAbsDiff(withTta.augmentedProbs as Float32Array, Float32Array.from(expected)) < 1e-5);
  } finally {
    await data.close();
  }
  const result = await evaluate(modelDir, testDir, { tta: true, cacheDir });
  const tta = result.testTimeAugmentation;
  assert.ok(tta && tta.augmentation === 'flip' && tta.accuracy >= 0 && tta.accuracy <= 1);
  assert.equal(tta.perClass.length, classes.length);
  assert.equal((await evaluate(modelDir, testDir, { cacheDir })).testTimeAugmentation, undefined);
});

test('--tta shows up in the output of evaluate and predict, and in their help', async () => {
  const evaluated = captureOutput();
  assert.equal(await runCli(['evaluate', modelDir, testDir, '--tta', '--cache-dir', cacheDir], evaluated), 0, evaluated.stderr());
  assert.match(evaluated.stdout(), /^Accuracy: .*\nWith test-time augmentation \(flip\): accuracy \d+\.\d%, mean loss \d/m);
  const predicted = captureOutput();
  assert.equal(await runCli(['predict', modelDir, testDir, '--tta'], predicted), 0, predicted.stderr());
  assert.match(predicted.stdout(), /with test-time augmentation \(flip\)/);
  for (const command of ['evaluate', 'predict']) {
    const help = captureOutput();
    await runCli([command, '--help'], help);
    assert.match(help.stdout(), new RegExp(`imgclass ${command} runs/cats \\S+ --tta`));
  }
});

test('crops: the picture, its four corner crops (bilinear, TensorFlow crop_and_resize) and the mirror image of each', () => {
  // Channel values linear in the position: bilinear resampling reproduces them exactly at any sampling point.
  const [h, w] = [9, 13];
  const value = (y: number, x: number, c: number) => 2 * x + 3 * y + 100 * c;
  const xs = tf.tensor4d(Float32Array.from({ length: h * w * 3 }, (_, k) => value(Math.floor(k / (w * 3)), Math.floor(k / 3) % w, k % 3)), [1, h, w, 3]);
  const views = ttaViews(xs, 'crops').map((v) => v.arraySync()[0]);
  assert.equal(views.length, 10);
  assert.equal(ttaViews(xs, 'flip').length, 2);
  const f = TTA_CROP_FRACTION;
  // crop_and_resize samples output row i of a box from y1 to y2 at input row y1·(h − 1) + i·(y2 − y1)·(h − 1)/(h − 1).
  const corners = [[0, 0], [0, 1 - f], [1 - f, 0], [1 - f, 1 - f]];
  const expected = [
    (y: number, x: number, c: number) => value(y, x, c),
    ...corners.map(([y1, x1]) => (y: number, x: number, c: number) => value(y1 * (h - 1) + y * f, x1 * (w - 1) + x * f, c)),
  ];
  expected.forEach((view, k) => {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          assert.ok(Math.abs(views[2 * k][y][x][c] - view(y, x, c)) < 1e-3, `view ${2 * k} at (${y}, ${x}, ${c})`);
          assert.ok(Math.abs(views[2 * k + 1][y][w - 1 - x][c] - view(y, x, c)) < 1e-3, `mirrored view ${2 * k + 1} at (${y}, ${x}, ${c})`);
        }
      }
    }
  });
  xs.dispose();
});

test('predictDataset and evaluate with tta crops average the ten views; --tta-crops shows up in evaluate and predict', async () => {
  const data = await loadEvaluationSet({ roots: testDir, classes, preprocessing, cacheDir });
  try {
    const crops = await predictDataset(model, data.dataset, 8, { tta: 'crops' });
    const flips = await predictDataset(model, data.dataset, 8, { tta: true });
    assert.ok(maxAbsDiff(crops.probs, flips.probs) < 1e-6, 'plain probabilities stay as they are');
    assert.ok(maxAbsDiff(crops.augmentedProbs!, flips.augmentedProbs!) > 1e-6, 'crops add views');
    const expected: number[] = [];
    for await (const batch of data.dataset.batches({ batchSize: 8, shuffle: false, augment: false })) {
      const mean = tf.tidy(() => {
        const outputs = ttaViews(batch.xs, 'crops').map((view) => model.predict(view) as tf.Tensor);
        return tf.div(tf.addN(outputs), outputs.length);
      });
      expected.push(...(await mean.data()));
      tf.dispose([mean, batch.xs, batch.ys]);
    }
    assert.ok(maxAbsDiff(crops.augmentedProbs!, Float32Array.from(expected)) < 1e-5);
  } finally {
    await data.close();
  }
  const result = await evaluate(modelDir, testDir, { tta: 'crops', cacheDir });
  assert.equal(result.testTimeAugmentation?.augmentation, 'flip, 4 corner crops');
  const evaluated = captureOutput();
  assert.equal(await runCli(['evaluate', modelDir, testDir, '--tta-crops', '--cache-dir', cacheDir], evaluated), 0, evaluated.stderr());
  assert.match(evaluated.stdout(), /^With test-time augmentation \(flip, 4 corner crops\): accuracy \d+\.\d%/m);
  const predicted = captureOutput();
  assert.equal(await runCli(['predict', modelDir, testDir, '--tta-crops'], predicted), 0, predicted.stderr());
  assert.match(predicted.stdout(), /with test-time augmentation \(flip, 4 corner crops\)/);
});

test.after(() => model.dispose());
