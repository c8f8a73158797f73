import '../src/backend';
import * as onednn from '@imgclass/tfjs-backend-onednn';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { readTensorFile } from '../src/io/tensor-file';
import { MetricsRecord, resumeTraining, train, TrainOptions } from '../src/train';
import { listStepCheckpoints } from '../src/trained-network';
import { maxAbsDiff, tempDir, tinyPictureSet } from './imgclass-fixtures';

// Resuming must continue exactly where the straight run would be: same batches (the checkpoint is
// mid-epoch: 6 steps per epoch, resume at 4), same Adam moments, same augmentation. oneDNN's threaded
// reductions may round differently from run to run (~1e-7), hence a tolerance instead of bit equality.
const TOLERANCE = 1e-5;

let options: TrainOptions;
let cacheDir: string;
let work: string;

before(async () => {
  work = tempDir();
  const set = await tinyPictureSet();
  cacheDir = path.join(work, 'cache');
  options = { train: set.train, test: set.test, model: 'lenet5', size: 16, batchSize: 8, lr: 1e-3, seed: 5, logEvery: 1 };
});

const weights = (run: string) => new Float32Array(readFileSync(path.join(run, 'model', 'weights.bin')).buffer.slice(0));
const trainLosses = (run: string) =>
  readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MetricsRecord)
    .filter((r) => r.split === 'train')
    .map((r) => [r.step, r.loss] as const);

test('8 steps straight equal 4 steps + resume + 4 steps (weights, Adam moments, losses)', async () => {
  const straight = path.join(work, 'straight');
  const split = path.join(work, 'split');
  await train({ ...options, steps: 8, out: straight }, { cacheDir });
  const first = await train({ ...options, steps: 4, out: split }, { cacheDir });
  assert.equal(first.steps, 4);
  const resumed = await resumeTraining(split, { steps: 8 }, { cacheDir });
  assert.equal(resumed.steps, 8);
  assert.equal(resumed.stopReason, 'completed');

  assert.ok(maxAbsDiff(weights(straight), weights(split)) < TOLERANCE);

  const [a] = await listStepCheckpoints(straight);
  const [b] = await listStepCheckpoints(split);
  assert.equal(a.step, 8);
  assert.equal(b.step, 8);
  const ca = await readTensorFile<{ step: number }>(a.file);
  const cb = await readTensorFile<{ step: number }>(b.file);
  assert.equal(ca.groups.optimizer.length, 1 + 2 * 10, 'iteration count + first and second moments of 10 variables');
  assert.equal(ca.groups.optimizer[0].tensor.dataSync()[0], 8);
  ca.groups.optimizer.forEach((m, i) => {
    const diff = maxAbsDiff(m.tensor.dataSync() as Float32Array, cb.groups.optimizer[i].tensor.dataSync() as Float32Array);
    assert.ok(diff < TOLERANCE, `optimizer tensor ${i} (${m.name}) differs by ${diff}`);
  });

  const la = trainLosses(straight);
  const lb = trainLosses(split);
  assert.deepEqual(la.map(([s]) => s), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(lb.map(([s]) => s), [1, 2, 3, 4, 5, 6, 7, 8], 'the resumed run appends after the checkpoint, no duplicates');
  la.forEach(([, loss], i) => assert.ok(Math.abs(loss - lb[i][1]) < TOLERANCE, `step ${i + 1}: ${loss} vs ${lb[i][1]}`));
});

test('the same seed gives the same metrics; another seed does not', async () => {
  const runA = await train({ ...options, steps: 3, out: path.join(work, 'seed-a') }, { cacheDir });
  const runB = await train({ ...options, steps: 3, out: path.join(work, 'seed-b') }, { cacheDir });
  const runC = await train({ ...options, steps: 3, seed: 6, out: path.join(work, 'seed-c') }, { cacheDir });
  const a = trainLosses(runA.runDir);
  trainLosses(runB.runDir).forEach(([, loss], i) => assert.ok(Math.abs(loss - a[i][1]) < TOLERANCE));
  assert.ok(trainLosses(runC.runDir).some(([, loss], i) => Math.abs(loss - a[i][1]) > 1e-3));
});

const bf16Skip = onednn.supportsBfloat16() ? false : 'this CPU has no bf16 instructions';

test('--bf16 (mixed precision) trains, is saved in the run, resumes in bf16, and leaves float32 behind', { skip: bf16Skip }, async () => {
  const f32 = await train({ ...options, steps: 4, out: path.join(work, 'f32') }, { cacheDir });
  const run = path.join(work, 'bf16');
  let precisionDuring = '';
  await train({ ...options, steps: 4, precision: 'bfloat16', out: run }, {
    cacheDir,
    onEvent: (e) => {
      if (e.type === 'start') precisionDuring = onednn.getPrecision();
    },
  });
  assert.equal(precisionDuring, 'bfloat16');
  assert.equal(onednn.getPrecision(), 'float32', 'back to float32 after the run');
  assert.equal(JSON.parse(readFileSync(path.join(run, 'config.json'), 'utf8')).precision, 'bfloat16');
  const a = trainLosses(f32.runDir);
  const b = trainLosses(run);
  // Same batches and initial weights: bf16 rounding moves the losses a little, not a lot.
  b.forEach(([, loss], i) => assert.ok(Math.abs(loss - a[i][1]) < 0.05 * a[i][1], `step ${i + 1}: bf16 ${loss}, f32 ${a[i][1]}`));
  assert.ok(b.some(([, loss], i) => loss !== a[i][1]), 'bf16 computed exactly as float32');
  const resumed = await resumeTraining(run, { steps: 6 }, { cacheDir });
  assert.equal(resumed.steps, 6);
  const savedWeights = new Float32Array(readFileSync(path.join(run, 'model', 'weights.bin')).buffer.slice(0));
  assert.ok(savedWeights.every(Number.isFinite), 'float32 master weights saved');
});

test('--bf16 without the oneDNN backend is a clear error before anything is written', async () => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  try {
    const out = path.join(work, 'bf16-on-cpu');
    await assert.rejects(train({ ...options, steps: 1, precision: 'bfloat16', out }, { cacheDir }), {
      name: 'ImgclassError',
      message: "--bf16 needs the oneDNN backend, but tfjs runs on 'cpu'.",
    });
    assert.throws(() => readFileSync(path.join(out, 'config.json')), /ENOENT/);
  } finally {
    await tf.setBackend('onednn');
  }
});
