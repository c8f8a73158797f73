import '../src/backend';
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { ImgclassError } from '../src/errors';
import { resumeTraining, train, TrainEvent, TrainOptions } from '../src/train';
import { listStepCheckpoints, loadClassifier } from '../src/trained-network';
import { reseedDropout } from '../src/train/dropout-seeds';
import { logitsView } from '../src/train/logits';
import { crossEntropy, softmaxCrossEntropy } from '../src/train/loss';
import { buildModel } from '../src/models';
import { applyWeightDecay } from '../src/train/optimizer';
import { tempDir, tinyPictureSet } from './imgclass-fixtures';

let options: TrainOptions;
let work: string;
let cacheDir: string;

before(async () => {
  work = tempDir();
  const set = await tinyPictureSet();
  cacheDir = path.join(work, 'cache');
  options = { train: set.train, test: set.test, model: 'lenet5', size: 16, batchSize: 8, lr: 1e-3, seed: 2, logEvery: 2 };
});

test('a run folder holds config, classes, metrics (JSON lines and CSV), checkpoints and the final model', async () => {
  const result = await train({ ...options, epochs: 2, out: path.join(work, 'full') }, { cacheDir });
  const dir = result.runDir;
  for (const f of ['config.json', 'classes.json', 'metrics.jsonl', 'metrics.csv', 'model/model.json', 'model/weights.bin', 'checkpoints/best.ckpt']) {
    assert.ok(existsSync(path.join(dir, f)), f);
  }
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'classes.json'), 'utf8')), ['dots', 'stripes']);
  assert.equal(result.steps, 12);
  assert.equal(result.epochs, 2);
  assert.deepEqual((await listStepCheckpoints(dir)).map((c) => c.step), [12, 6], 'one per epoch end, newest first');
  const csv = readFileSync(path.join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'split,step,epoch,loss,accuracy,lr,imagesPerSecond,seconds,dataWaitMs,dataWaitPercent');
  // Train records say how long each step waited for its batch; validation records leave it empty.
  const records = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  for (const r of records.filter((r) => r.split === 'train')) {
    assert.ok(r.dataWaitMs >= 0 && r.dataWaitPercent >= 0 && r.dataWaitPercent <= 100, JSON.stringify(r));
  }
  assert.ok(records.filter((r) => r.split === 'validation').every((r) => r.dataWaitMs === null));
  assert.equal(csv.filter((l) => l.startsWith('validation,')).length, 2, 'validation after each epoch');
  assert.equal(csv.filter((l) => l.startsWith('train,')).length, 6, 'a log line every 2 steps');
  const classifier = await loadClassifier(dir);
  assert.deepEqual(classifier.preprocessing, { version: 1, width: 16, height: 16, channels: 3, resizeMode: 'stretch', normalization: { kind: 'standardize' } });
  classifier.model.dispose();
});

test('early stopping ends the run after `patience` epochs without improvement', async () => {
  const events: TrainEvent[] = [];
  const result = await train(
    { ...options, epochs: 10, patience: 1, minDelta: 1, out: path.join(work, 'early') },
    { cacheDir, onEvent: (e) => events.push(e) },
  );
  assert.equal(result.stopReason, 'early-stopped');
  assert.equal(result.epochs, 2, 'epoch 1 sets the best, epoch 2 cannot beat it by minDelta 1');
  assert.ok(events.some((e) => e.type === 'early-stop'));
});

test('an abort signal stops after the current step with a checkpoint; resume finishes the run', async () => {
  const controller = new AbortController();
  const out = path.join(work, 'aborted');
  const result = await train(
    { ...options, steps: 30, out },
    { cacheDir, signal: controller.signal, onEvent: (e) => e.type === 'step' && e.step === 3 && controller.abort() },
  );
  assert.equal(result.stopReason, 'interrupted');
  assert.equal(result.modelDir, undefined);
  assert.deepEqual((await listStepCheckpoints(out)).map((c) => c.step), [3]);
  const resumed = await resumeTraining(out, {}, { cacheDir });
  assert.equal(resumed.steps, 30);
  assert.equal(resumed.stopReason, 'completed');
});

test('a NaN loss stops training, names the step, keeps the last good checkpoint and suggests a lower rate', async () => {
  const out = path.join(work, 'nan');
  await assert.rejects(
    train({ ...options, lr: 1e12, steps: 20, saveEvery: 1, out }, { cacheDir }),
    (err: unknown) =>
      err instanceof ImgclassError &&
      err.code === 'NAN_LOSS' &&
      /^The loss became NaN at step (\d+) \(epoch 1\), so training stopped; the last good checkpoint \(step \d+\) is kept; start a new run with a lower learning rate, for example --lr 1e11\.$/.test(err.message),
  );
  assert.ok((await listStepCheckpoints(out)).length > 0);
  assert.ok(!existsSync(path.join(out, 'model')), 'no final model from NaN weights');
});

test('resume skips a damaged newest checkpoint and continues from the one before', async () => {
  const out = path.join(work, 'damaged');
  await train({ ...options, steps: 4, saveEvery: 2, out }, { cacheDir });
  const [newest] = await listStepCheckpoints(out);
  assert.equal(newest.step, 4);
  truncateSync(newest.file, 1000);
  appendFileSync(path.join(out, 'metrics.jsonl'), '{"split":"train","step":4,"ep'); // a torn append, as after kill -9
  const warnings: string[] = [];
  const result = await resumeTraining(out, { steps: 5 }, { cacheDir, onEvent: (e) => e.type === 'warning' && warnings.push(e.message) });
  assert.equal(result.steps, 5);
  assert.ok(warnings.some((w) => /step-0000004\.ckpt' is truncated or corrupt \(checksum mismatch\)\. Trying an older checkpoint\./.test(w)));
  const steps = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
  assert.deepEqual(steps, [2, 4, 5], 'kept: the log at step 2; then, resumed from step 2: the log at 4 and the validation at 5');
});

test('resume refuses a folder that is not a run, and flags that change the experiment', async () => {
  await assert.rejects(resumeTraining(work, {}, { cacheDir }), /is not an imgclass run folder: it has no config\.json/);
  const out = path.join(work, 'conflict');
  await train({ ...options, steps: 1, out }, { cacheDir });
  await assert.rejects(resumeTraining(out, { size: 32 }, { cacheDir }), /started with size = 16, but 32 was given/);
});

test('label smoothing mixes ε/K into the targets', () => {
  const probs = tf.tensor2d([[0.7, 0.2, 0.1]]);
  const labels = tf.tensor1d([0], 'int32');
  const eps = 0.3;
  const targets = [0.7 + 0.1, 0.1, 0.1];
  const expected = -targets.reduce((s, t, i) => s + t * Math.log([0.7, 0.2, 0.1][i]), 0);
  assert.ok(Math.abs(crossEntropy(probs, labels, eps).dataSync()[0] - expected) < 1e-6);
  assert.ok(Math.abs(crossEntropy(probs, labels).dataSync()[0] + Math.log(0.7)) < 1e-6);
});

test('weight decay shrinks kernels by lr·decay and leaves biases alone', () => {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'ones', biasInitializer: 'ones' })],
  });
  applyWeightDecay(model, 0.1, 0.5);
  const [kernel, bias] = model.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(kernel, [0.949999988079071, 0.949999988079071]);
  assert.deepEqual(bias, [1]);
});

test('dropout masks are reproducible per step and differ between steps', () => {
  const model = tf.sequential({ layers: [tf.layers.dropout({ inputShape: [64], rate: 0.5 })] });
  const mask = (step: number) => {
    reseedDropout(model, 9, step);
    return Array.from((model.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor).dataSync());
  };
  assert.deepEqual(mask(3), mask(3));
  assert.notDeepEqual(mask(3), mask(4));
});

test('training reads logits under the softmax: same predictions, and a gradient even when saturated', () => {
  const model = buildModel('lenet5', { size: 16, seed: 1 });
  const view = logitsView(model);
  assert.ok(view);
  const x = tf.randomNormal([3, 16, 16, 3], 0, 1, 'float32', 2);
  const fromLogits = tf.softmax(view.logits(x, false)).dataSync();
  const fromModel = (model.predict(x) as tf.Tensor).dataSync();
  fromModel.forEach((p, i) => assert.ok(Math.abs(p - fromLogits[i]) < 1e-6));
  model.dispose();

  // A confidently wrong softmax: clipped probabilities give no gradient, logits give p - y.
  const labels = tf.tensor1d([1], 'int32');
  const logits = tf.tensor2d([[40, -40]]);
  const viaProbs = tf.grad((z: tf.Tensor) => crossEntropy(tf.softmax(z) as tf.Tensor2D, labels))(logits).dataSync();
  const viaLogits = tf.grad((z: tf.Tensor) => softmaxCrossEntropy(z as tf.Tensor2D, labels))(logits).dataSync();
  assert.deepEqual(Array.from(viaProbs), [0, 0]);
  assert.deepEqual(Array.from(viaLogits), [1, -1]);
});
