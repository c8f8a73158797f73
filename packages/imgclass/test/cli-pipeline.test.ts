import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { runCli, tempDir, tinyPictureSet } from './imgclass-fixtures';

// One working folder: tiny picture set in train/ and test/, the run in run/. Tests build on each other, in order.
let work: string;
const common = ['--size', '16', '--batch', '8', '--seed', '4', '--warmup', '0', '--cache-dir', 'cache'];
const cli = (...args: string[]) => runCli(args, work);

before(async () => {
  work = tempDir();
  await tinyPictureSet(work);
});

test('train: data, plan, log lines every --log-every steps, checkpoints, final model; exit 0', async () => {
  const r = await cli('train', 'train', '--test', 'test', ...common, '--steps', '4', '--log-every', '2', '--save-every', '2', '--out', 'run');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Data: 2 classes \(dots, stripes\); training 48 pictures, validation 16\n/);
  assert.match(r.stdout, /\nModel: lenet5 at 16×16, [\d,]+ parameters\n/);
  assert.match(r.stdout, /\nPlan: 4 steps \(6 per epoch, 1 epoch\), batch 8, adam lr 0\.0001 constant, seed 4\n/);
  assert.match(r.stdout, /\nstep 2  epoch 1  loss \d\.\d{4}  acc \d+\.\d%  lr 1\.00e-4  \d+ img\/s  data wait \d+\.\d ms\/step \(\d+\.\d%\)\n/);
  assert.match(r.stdout, /\nvalidation after step 4: loss \d\.\d{4} acc \d+\.\d% \(best so far\)\n/);
  assert.match(r.stdout, /\nDone: 4 steps in \d+:\d\d \(\d+ img\/s\); training accuracy \d+\.\d%; validation accuracy \d+\.\d% \(best \d+\.\d%, epoch \d+\)\.\nModel: run\/model\/model\.json\n$/);
  assert.deepEqual(readdirSync(path.join(work, 'run', 'checkpoints')).sort(), ['best.ckpt', 'step-0000002.ckpt', 'step-0000004.ckpt']);
});

test('train --resume continues from the newest checkpoint and can extend the run', async () => {
  const r = await cli('train', '--resume', 'run', '--steps', '8', '--log-every', '2');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\nPlan: 8 steps \(6 per epoch, 2 epochs\), .*, resuming at step 4\n/);
  assert.doesNotMatch(r.stdout, /\nstep [24] /, 'steps before the checkpoint are not trained again');
  assert.match(r.stdout, /\nstep 6  epoch 1 .*\nepoch 1 done/);
  assert.match(r.stdout, /\nDone: 8 steps /);
});

test('evaluate: accuracy, per-class table, confusion matrix; --json', async () => {
  const text = await cli('evaluate', 'run', 'test', '--cache-dir', 'cache');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Accuracy: \d+\.\d% \(\d+ of 16 pictures\), mean loss \d\.\d{4}\n/);
  assert.match(text.stdout, /\nClass +Precision +Recall +F1 +Pictures\n[- ]+\ndots .* 8\nstripes .* 8\n/);
  assert.match(text.stdout, /\nConfusion matrix \(rows: true class, columns: predicted class\)\n +dots +stripes\n/);
  const json = await cli('evaluate', 'run', 'test', '--json', '--cache-dir', 'cache');
  const r = JSON.parse(json.stdout);
  assert.equal(r.images, 16);
  assert.equal(r.confusion.flat().reduce((a: number, b: number) => a + b, 0), 16);
  assert.equal(r.perClass.length, 2);
  assert.ok(r.mostConfidentlyWrong.every((m: { probability: number }) => m.probability >= 0.5));
});

test('predict: `class 97.3%` for one picture, a table / JSON / CSV for many, --top k', async () => {
  const one = await cli('predict', 'run', 'test/dots/dots-0000.jpg');
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /^(dots|stripes) \d{1,3}\.\d%\n$/);
  const table = await cli('predict', 'run', 'test');
  assert.match(table.stdout, /^Picture +Class +Probability\n/);
  assert.equal(table.stdout.trim().split('\n').length, 2 + 16);
  const json = JSON.parse((await cli('predict', 'run/model', 'test', '--json', '--top', '2')).stdout);
  assert.equal(json.length, 16);
  for (const p of json) {
    assert.equal(p.top.length, 2);
    assert.ok(Math.abs(p.top[0].probability + p.top[1].probability - 1) < 1e-5);
  }
  const csv = await cli('predict', 'run/model/model.json', 'test/**/*-000[0-1].jpg', '--csv');
  assert.equal(csv.stdout.trim().split('\n').length, 1 + 4);
});

test('an unreadable picture: an error on its own, a skipped row among others', async () => {
  mkdirSync(path.join(work, 'mixed'));
  writeFileSync(path.join(work, 'mixed', 'notes.jpg'), 'this is text, not a JPEG');
  copyFileSync(path.join(work, 'test/dots/dots-0000.jpg'), path.join(work, 'mixed', 'dots.jpg'));
  const alone = await cli('predict', 'run', 'mixed/notes.jpg');
  assert.equal(alone.code, 1);
  assert.equal(alone.stderr, "error: Cannot use image 'mixed/notes.jpg': not an image in a supported format.\n");
  const many = await cli('predict', 'run', 'mixed');
  assert.equal(many.code, 0, many.stderr);
  assert.match(many.stdout, /\nmixed\/dots\.jpg +(dots|stripes) +\d+\.\d%\nmixed\/notes\.jpg +skipped: not an image in a supported format\n$/);
  assert.equal(many.stderr, "warning: skipped 'mixed/notes.jpg': not an image in a supported format\n");
});

test('bad input: one sentence, exit code 1, nothing overwritten', async () => {
  mkdirSync(path.join(work, 'empty'));
  const cases: [string[], RegExp][] = [
    [['evaluate', 'test', 'test'], /^error: 'test' is neither a run folder \(no config\.json\) nor a model folder \(no model\.json\)\.\n$/],
    [['predict', 'run', 'empty'], /^error: No images were found in 'empty'\.\n$/],
    [['train', '--resume', 'run', '--lr', '0.5'], /^error: The run was started with lr = 0\.0001, but 0\.5 was given; resume without that option or start a new run\.\n$/],
    [['train', '--resume', 'test'], /^error: 'test' is not an imgclass run folder: it has no config\.json\.\n$/],
    [['train', 'train', '--model', 'alexnet', '--size', '32', '--out', 'small'], /^error: The input size 32×32 is too small for alexnet: layer 'pool2' would output 0×0×256 \(the smallest size alexnet accepts is 67\)\.\n$/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 1, `${args.join(' ')}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n {4}at /);
  }

  // Reusing a finished run's folder is wrong usage: exit code 2, and the run is left as it was.
  const reused = await cli('train', 'train', '--out', 'run', ...common);
  assert.equal(reused.code, 2, reused.stderr);
  assert.match(reused.stderr, /^error: The run folder '.*run' already exists and is not empty; continue it with --resume .*run, replace it with --overwrite, or choose another --out\.\n$/);
  assert.ok(existsSync(path.join(work, 'run/model/weights.bin')));

  mkdirSync(path.join(work, 'broken'));
  copyFileSync(path.join(work, 'run/model/model.json'), path.join(work, 'broken/model.json'));
  copyFileSync(path.join(work, 'run/model/weights.bin'), path.join(work, 'broken/weights.bin'));
  truncateSync(path.join(work, 'broken/weights.bin'), 1000);
  const broken = await cli('predict', 'broken', 'test/dots/dots-0000.jpg');
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /^error: Cannot load the model 'broken\/model\.json': the weights are 1000 bytes but model\.json describes \d+ \(truncated or mismatched weights\.bin\)\.\n$/);
  assert.equal(statSync(path.join(work, 'broken/weights.bin')).size, 1000);
  assert.ok(existsSync(path.join(work, 'run/model/weights.bin')));
});

test('a NaN loss stops with the step, the kept checkpoint and a lower learning rate to try', async () => {
  const r = await cli('train', 'train', ...common, '--lr', '1e12', '--steps', '20', '--save-every', '1', '--out', 'nan');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: The loss became NaN at step \d+ \(epoch 1\), so training stopped; the last good checkpoint \(step \d+\) is kept; start a new run with a lower learning rate, for example --lr 1e11\.\n$/);
});

test('inspect: the dataset report and the decoding speed', async () => {
  const r = await cli('inspect', 'train', '--test', 'test', '--size', '24', '--cache-dir', 'cache');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Classes \(2\): dots, stripes\ntrain: 48 images \(dots 24, stripes 24\) from train\nvalidation: 16 images/);
  assert.match(r.stdout, /\nAll 64 image files are usable\.\nCache: decoded 64 pictures in \d+\.\d s, \d+ pictures\/s; 0 already cached/);
  const json = JSON.parse((await cli('inspect', 'train', '--size', '24', '--cache-dir', 'cache', '--json')).stdout);
  assert.equal(json.cache.reused, 48, 'the second pass reads the cache');
});
