import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { runCli } from '../src/cli/main';
import { loadForeignModel } from '../src/trained-network/foreign-model';
import { loadClassifier } from '../src/trained-network/load-classifier';
import { saveForeignModel } from './foreign-model-fixtures';
import { captureOutput, maxAbsDiff, tempDir, tinyPictureSet } from './imgclass-fixtures';

// One working folder: the tiny dots/stripes set, a 3-class 24×24 network imgclass did not make, and the runs.
// Tests build on each other, in order.
let work: string;
let foreign: string;
let data: { train: string; test: string };

async function cli(...args: string[]) {
  const output = captureOutput();
  const code = await runCli(args, output);
  return { code, stdout: output.stdout(), stderr: output.stderr() };
}

const fast = ['--batch', '8', '--seed', '3', '--warmup', '0', '--no-report'];
const run = (name: string) => path.join(work, name);
const config = (name: string) => JSON.parse(readFileSync(path.join(run(name), 'config.json'), 'utf8'));

before(async () => {
  work = tempDir();
  data = await tinyPictureSet(path.join(work, 'pictures'));
  foreign = await saveForeignModel(3);
});

describe('train --init-from', () => {
  test('a model imgclass did not make needs its preprocessing, and keeps its own input size', async () => {
    const missing = await cli('train', data.train, '--init-from', foreign, '--steps', '1', '--out', run('refused'));
    assert.equal(missing.code, 2, missing.stderr); // wrong usage
    assert.match(missing.stderr, /^error: '.*model\.json' was not made by imgclass, so it does not say how its pictures were prepared: give --normalization [^\n]*\.$/);

    const size = await cli('train', data.train, '--init-from', foreign, '--normalization', 'unit', '--size', '32', '--out', run('refused'));
    assert.equal(size.code, 2, size.stderr); // wrong usage
    assert.match(size.stderr, /takes 24×24 pictures, so --size 32 does not fit it; leave out --size\.$/);
  });

  test('another number of classes: a fresh head; the run trains, saves a model that predicts, and keeps the imported features', async () => {
    const r = await cli('train', data.train, '--test', data.test, '--init-from', foreign, '--normalization', 'unit', ...fast, '--steps', '2', '--out', run('tuned'), '--cache-dir', run('cache'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nModel: keras_net from .* at 24×24, [\d,]+ parameters\n/);
    assert.match(r.stdout, /\nPlan: 2 steps .* adam lr 0\.0001 /);
    const saved = config('tuned');
    assert.equal(saved.initFrom, foreign);
    assert.equal(saved.normalization, 'unit');

    const predicted = await cli('predict', run('tuned'), path.join(data.test, 'dots'), '--json');
    assert.equal(predicted.code, 0, predicted.stderr);
    const results = JSON.parse(predicted.stdout) as { top: { className: string; probability: number }[] }[];
    assert.equal(results.length, 8);
    for (const result of results) assert.ok(['dots', 'stripes'].includes(result.top[0].className));

    const tuned = await loadClassifier(run('tuned'));
    const imported = await loadForeignModel(foreign, { normalization: 'unit' });
    assert.deepEqual(tuned.model.outputs[0].shape, [null, 2]);
    const kernel = (c: { model: typeof tuned.model }) => c.model.layers.find((l) => l.getClassName() === 'Conv2D')!.getWeights()[0].dataSync() as Float32Array;
    assert.ok(maxAbsDiff(kernel(tuned), kernel(imported)) < 0.01, 'two small steps from the imported weights, not a fresh network');
    tuned.model.dispose();
    imported.model.dispose();
  });

  test('--resume rebuilds the imported network and continues from its checkpoint', async () => {
    const r = await cli('train', '--resume', run('tuned'), '--steps', '4', '--cache-dir', run('cache'), '--no-report');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nPlan: 4 steps .*, resuming at step 2\n/);
    assert.match(r.stdout, /\nDone: 4 steps /);

    // Without its final model (an interrupted run), the run opens from a checkpoint on the rebuilt network.
    rmSync(path.join(run('tuned'), 'model'), { recursive: true });
    const fromCheckpoint = await loadClassifier(run('tuned'));
    assert.match(fromCheckpoint.source, /best\.ckpt$/);
    assert.deepEqual(fromCheckpoint.model.outputs[0].shape, [null, 2]);
    fromCheckpoint.model.dispose();
  });

  test('an imgclass run works too, with its own preprocessing', async () => {
    const conflicting = await cli('train', data.train, '--init-from', run('tuned'), '--normalization', 'standardize', '--out', run('refused'));
    assert.equal(conflicting.code, 2, conflicting.stderr); // wrong usage
    assert.match(conflicting.stderr, /was made by imgclass and keeps its own preprocessing \(unit normalization, stretch resize\)/);

    const r = await cli('train', data.train, '--init-from', run('tuned'), ...fast, '--steps', '1', '--out', run('again'), '--cache-dir', run('cache'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(config('again').normalization, 'unit');
    assert.equal(config('again').size, 24);
  });
});
