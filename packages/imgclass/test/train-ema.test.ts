import '../src/backend';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { loadEvaluationSet } from '../src/data/load-image-folder';
import { evaluate, lossAndAccuracy, predictDataset } from '../src/evaluate';
import { readTensorFile } from '../src/io/tensor-file';
import { MetricsRecord, resumeTraining, train, TrainOptions } from '../src/train';
import { averageDecayAt } from '../src/train/weight-average';
import { listStepCheckpoints, loadClassifier, readRunFolder } from '../src/trained-network';
import { buildRunNetwork } from '../src/trained-network/run-network';
import { maxAbsDiff, tempDir, tinyPictureSet } from './imgclass-fixtures';

// resnet18-half has BatchNorm: its moving statistics are averaged too. 16×16 keeps each step short.
let options: TrainOptions;
let cacheDir: string;
let work: string;
let testDir: string;

before(async () => {
  work = tempDir();
  const set = await tinyPictureSet();
  testDir = set.test;
  cacheDir = path.join(work, 'cache');
  options = { train: set.train, test: set.test, model: 'resnet18-half', size: 16, batchSize: 8, seed: 5, logEvery: 1, warmupSteps: 0 };
});

/** Each weight of a checkpoint group as float32 arrays, in model order. */
async function checkpointGroups(file: string): Promise<{ model: Float32Array[]; ema: Float32Array[] | undefined }> {
  const { groups } = await readTensorFile(file);
  const arrays = (name: string) => groups[name]?.map((e) => e.tensor.dataSync() as Float32Array);
  const result = { model: arrays('model') as Float32Array[], ema: arrays('ema') };
  tf.dispose(Object.values(groups).flat().map((e) => e.tensor));
  return result;
}

const flat = (arrays: Float32Array[]) => Float32Array.from(arrays.flatMap((a) => Array.from(a)));
const savedModelWeights = (run: string) => new Float32Array(readFileSync(path.join(run, 'model', 'weights.bin')).buffer.slice(0));

test('--ema: after each step the average equals the closed form over the recorded weights, BatchNorm statistics included', async () => {
  const decay = 0.3; // capped from step 3 on: (1 + n) / (10 + n) passes 0.3 there, so both regimes are covered
  const run = path.join(work, 'closed-form');
  const steps = 5;
  await train({ ...options, steps, ema: decay, saveEvery: 1, keepCheckpoints: 10, out: run }, { cacheDir });
  const { config, classes } = await readRunFolder(run);
  assert.equal(config.ema, decay);
  const initial = await buildRunNetwork(config, classes.length);
  const trajectory: Float32Array[][] = [initial.weights.map((w) => w.read().dataSync() as Float32Array)];
  assert.ok(initial.weights.some((w) => /moving_mean/.test(w.originalName)), 'the network has BatchNorm moving statistics');
  initial.dispose();
  const checkpoints = (await listStepCheckpoints(run)).reverse();
  assert.deepEqual(checkpoints.map((c) => c.step), [1, 2, 3, 4, 5]);
  for (const [t, checkpoint] of checkpoints.entries()) {
    const n = t + 1;
    const { model, ema } = await checkpointGroups(checkpoint.file);
    trajectory.push(model);
    assert.ok(ema, `step ${n} stores the average`);
    // average_n = Σ_k c_k·w_k with c_0 = Π d_1..d_n and c_k = (1 − d_k)·Π d_(k+1)..d_n.
    const d = (k: number) => averageDecayAt(decay, k);
    ema.forEach((actual, i) => {
      const expected = new Float64Array(actual.length);
      for (let k = 0; k <= n; k++) {
        let c = k === 0 ? 1 : 1 - d(k);
        for (let j = k + 1; j <= n; j++) c *= d(j);
        trajectory[k][i].forEach((v, e) => (expected[e] += c * v));
      }
      const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-3);
      const diff = maxAbsDiff(actual, Float32Array.from(expected));
      assert.ok(diff < 1e-5 * scale, `step ${n}, weight ${i}: off by ${diff}`);
    });
  }
  assert.ok(maxAbsDiff(flat(trajectory[steps]), flat((await checkpointGroups(checkpoints[steps - 1].file)).ema!)) > 1e-4, 'the average is not the weights');
  assert.ok(maxAbsDiff(savedModelWeights(run), flat((await checkpointGroups(checkpoints[steps - 1].file)).ema!)) < 1e-7, 'model/ holds the average');

  // Validation scored the average: its loss is evaluate()'s on model/, and not the trained weights' loss.
  const metrics = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricsRecord);
  const validation = metrics.filter((r) => r.split === 'validation').at(-1)!;
  const evaluated = await evaluate(run, testDir, { cacheDir });
  assert.ok(Math.abs(validation.loss - evaluated.loss) < 1e-4, `validation ${validation.loss}, evaluate ${evaluated.loss}`);
  const trained = await buildRunNetwork(config, classes.length);
  trained.setWeights(trajectory[steps].map((a, i) => tf.tensor(a, trained.weights[i].shape as number[])));
  const data = await loadEvaluationSet({ roots: testDir, classes, preprocessing: { size: 16 }, cacheDir });
  try {
    const trainedLoss = lossAndAccuracy(await predictDataset(trained, data.dataset, 8)).loss;
    assert.ok(Math.abs(trainedLoss - validation.loss) > 1e-3, `the trained weights score ${trainedLoss} too`);
  } finally {
    await data.close();
    trained.dispose();
  }
});

test('--ema with mixing: 6 steps straight equal 3 steps + resume + 3 steps (average, weights); a stopped run predicts with the average', async () => {
  const settings = { ...options, ema: 0.9, mixup: 0.2, cutmix: 1 };
  const straight = path.join(work, 'straight');
  const split = path.join(work, 'split');
  await train({ ...settings, steps: 6, out: straight }, { cacheDir });
  await train({ ...settings, steps: 3, out: split }, { cacheDir });
  await resumeTraining(split, { steps: 6 }, { cacheDir });
  const [a] = await listStepCheckpoints(straight);
  const [b] = await listStepCheckpoints(split);
  const ga = await checkpointGroups(a.file);
  const gb = await checkpointGroups(b.file);
  assert.ok(maxAbsDiff(flat(ga.ema!), flat(gb.ema!)) < 1e-5, 'the same average');
  assert.ok(maxAbsDiff(flat(ga.model), flat(gb.model)) < 1e-5, 'the same weights');
  assert.ok(maxAbsDiff(savedModelWeights(straight), savedModelWeights(split)) < 1e-5);

  // Without model/ (as after Ctrl-C), evaluate and predict open best.ckpt's average, not its trained weights.
  rmSync(path.join(split, 'model'), { recursive: true });
  const best = await checkpointGroups(path.join(split, 'checkpoints', 'best.ckpt'));
  assert.ok(maxAbsDiff(flat(best.ema!), flat(best.model)) > 1e-4);
  const classifier = await loadClassifier(split);
  try {
    const loaded = flat(classifier.model.weights.map((w) => w.read().dataSync() as Float32Array));
    assert.ok(maxAbsDiff(loaded, flat(best.ema!)) < 1e-7);
  } finally {
    classifier.model.dispose();
  }
});

test('--ema outside [0, 1) is refused in one sentence', async () => {
  await assert.rejects(train({ ...options, ema: 1, steps: 1, out: path.join(work, 'bad') }, { cacheDir }), /EMA decay must be in \[0, 1\)/);
});
