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
import { predict } from '../src/predict';
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

test.after(() => model.dispose());
