import '../src/backend';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { ImgclassError } from '../src/errors';
import { listStepCheckpoints, loadClassifier } from '../src/trained-network';
import { resumeTraining, train, TrainEvent, TrainOptions } from '../src/train';
import { tempDir, tinyPictureSet } from './imgclass-fixtures';

let options: TrainOptions;
let work: string;
let cacheDir: string;

before(async () => {
  work = tempDir();
  const set = await tinyPictureSet();
  cacheDir = path.join(work, 'cache');
  options = { train: set.train, test: set.test, model: 'lenet5', size: 16, batchSize: 8, lr: 1e-3, seed: 3, logEvery: 2, warmupSteps: 0 };
});

const checkpoints = (run: string) => readdirSync(path.join(run, 'checkpoints')).sort();
const damage = (file: string) => writeFileSync(file, 'not a checkpoint any more');

test('best.ckpt is a file of its own: damaging the step checkpoint it came from leaves it intact', async () => {
  const run = path.join(work, 'best');
  await train({ ...options, epochs: 1, out: run }, { cacheDir });
  const step = path.join(run, 'checkpoints', 'step-0000006.ckpt');
  const best = path.join(run, 'checkpoints', 'best.ckpt');
  assert.deepEqual(checkpoints(run), ['best.ckpt', 'step-0000006.ckpt']);
  assert.notEqual(statSync(best).ino, statSync(step).ino);
  assert.deepEqual(readFileSync(best), readFileSync(step), 'the same bytes, in two files');
  damage(step);
  assert.ok(readFileSync(best).length > 1000);
});

test('resume deletes temporary files left by a write that a kill -9 interrupted, and says so', async () => {
  const run = path.join(work, 'leftovers');
  await train({ ...options, steps: 2, saveEvery: 2, out: run }, { cacheDir });
  const leftovers = ['checkpoints/.step-0000004.ckpt.tmp-4242-k3j2h1', 'checkpoints/.best.ckpt.tmp-4242-a1b2c3', '.config.json.tmp-4242-zz9'];
  for (const f of leftovers) writeFileSync(path.join(run, f), 'half a checkpoint');
  const warnings: string[] = [];
  const result = await resumeTraining(run, { steps: 3 }, { cacheDir, onEvent: (e: TrainEvent) => e.type === 'warning' && warnings.push(e.message) });
  assert.equal(result.steps, 3);
  for (const f of leftovers) assert.ok(!existsSync(path.join(run, f)), f);
  assert.ok(warnings.some((w) => /^Deleted 3 unfinished temporary file\(s\) left by an interrupted write: .*step-0000004\.ckpt\.tmp-4242-k3j2h1/.test(w)), warnings.join('\n'));
  assert.ok(!checkpoints(run).some((n) => n.includes('.tmp-')));
});

test('a resume that finds only damaged checkpoints stops and lists them; --overwrite starts the run over on purpose', async () => {
  const run = path.join(work, 'all-damaged');
  await train({ ...options, steps: 4, saveEvery: 2, out: run }, { cacheDir });
  assert.deepEqual(checkpoints(run), ['best.ckpt', 'step-0000002.ckpt', 'step-0000004.ckpt']);
  for (const name of checkpoints(run)) damage(path.join(run, 'checkpoints', name));
  const metricsBefore = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8');
  await assert.rejects(
    resumeTraining(run, { steps: 6 }, { cacheDir }),
    (err: unknown) =>
      err instanceof ImgclassError &&
      err.code === 'CHECKPOINT' &&
      err.message ===
        `No checkpoint of the run '${run}' can be read (step-0000004.ckpt, step-0000002.ckpt, best.ckpt in checkpoints/ are damaged or from another network), ` +
          `so it was left as it is; to start it over from step 0 with its settings, run: imgclass train --resume ${run} --overwrite`,
  );
  assert.equal(readFileSync(path.join(run, 'metrics.jsonl'), 'utf8'), metricsBefore, 'the progress is not thrown away');

  const events: TrainEvent[] = [];
  const restarted = await resumeTraining(run, { steps: 2, overwrite: true }, { cacheDir, onEvent: (e) => events.push(e) });
  assert.equal(restarted.steps, 2);
  const start = events.find((e) => e.type === 'start');
  assert.equal(start?.type === 'start' && start.resumedFrom, null, 'from step 0');
  assert.deepEqual(checkpoints(run), ['best.ckpt', 'step-0000002.ckpt']);
  const steps = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
  assert.deepEqual(steps, [2, 2], 'a new log: the train record and the validation at step 2');
});

test('train --out --overwrite replaces a run, but never a folder that is not a run', async () => {
  const run = path.join(work, 'replaced');
  await train({ ...options, steps: 1, out: run }, { cacheDir });
  await assert.rejects(train({ ...options, steps: 1, out: run }, { cacheDir }), /already exists and is not empty; continue it with --resume .*, replace it with --overwrite, or choose another --out\.$/);
  const replaced = await train({ ...options, steps: 2, out: run, overwrite: true }, { cacheDir });
  assert.equal(replaced.steps, 2);
  const notARun = path.join(work, 'holiday-photos');
  await train({ ...options, steps: 1, out: path.join(notARun, 'x') }, { cacheDir }); // makes notARun non-empty
  await assert.rejects(
    train({ ...options, steps: 1, out: notARun, overwrite: true }, { cacheDir }),
    /^ImgclassError: --overwrite replaces only run folders, and '.*holiday-photos' has no config\.json; choose another --out\.$/,
  );
  assert.ok(existsSync(path.join(notARun, 'x', 'config.json')), 'left alone');
});

test('evaluate/predict on a stopped run use the newest intact checkpoint; all damaged is one sentence listing them', async () => {
  const run = path.join(work, 'stopped');
  await train({ ...options, steps: 4, saveEvery: 2, out: run }, { cacheDir });
  rmSync(path.join(run, 'model'), { recursive: true }); // as if stopped before the end
  damage(path.join(run, 'checkpoints', 'best.ckpt'));
  damage(path.join(run, 'checkpoints', 'step-0000004.ckpt'));
  const classifier = await loadClassifier(run);
  assert.match(classifier.source, /step-0000002\.ckpt$/);
  classifier.model.dispose();
  assert.deepEqual((await listStepCheckpoints(run)).map((c) => c.step), [4, 2]);
  damage(path.join(run, 'checkpoints', 'step-0000002.ckpt'));
  await assert.rejects(
    loadClassifier(run),
    (err: unknown) =>
      err instanceof ImgclassError &&
      err.message === `The run '${run}' has no final model and none of its checkpoints can be read (best.ckpt, step-0000004.ckpt, step-0000002.ckpt in checkpoints/ are damaged).`,
  );
});
