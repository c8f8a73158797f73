import '../src/backend';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { supportsBfloat16 } from '../src/backend';
import { parseCommandArgs } from '../src/cli/command';
import { runCli } from '../src/cli/main';
import { recipeFlags, trainCommand, trainOptionsFrom } from '../src/cli/train-command';
import { RECIPES, withRecipe } from '../src/trained-network/recipes';
import { resolveRunConfig, RunConfig } from '../src/trained-network/run-config';
import { captureOutput, tempDir, tinyPictureSet } from './imgclass-fixtures';

async function cli(...args: string[]) {
  const output = captureOutput();
  const code = await runCli(args, output);
  return { code, stdout: output.stdout(), stderr: output.stderr() };
}

const bf16 = supportsBfloat16() ? 'bfloat16' : 'float32';

test('every recipe listed as flags reads back, through the train command, as exactly its settings', async () => {
  const listed = JSON.parse((await cli('recipes', '--json')).stdout) as { name: string; flags: string; settings: object }[];
  assert.deepEqual(listed.map((r) => r.name), ['seed', 'fast', 'best']);
  for (const recipe of RECIPES) {
    const flags = recipeFlags(recipe.settings);
    assert.equal(listed.find((r) => r.name === recipe.name)?.flags, flags.join(' '));
    const { values } = parseCommandArgs(trainCommand, ['data/train', ...flags]);
    assert.deepEqual(trainOptionsFrom(values, []), recipe.settings, recipe.name);
  }
  const text = (await cli('recipes')).stdout;
  assert.match(text, /^fast: .*\n {2}imgclass train DIR\.\.\. --recipe fast {2}= {2}--model resnet18-half --size 128 .*--epochs 22 .*--schedule cosine .*--augment flip,pad-crop=16 --bf16 --val-split 0\.05$/m);
  assert.match(text, /^seed: .*\n.*--model lenet5 --size 150 --init tutorial --batch 32 --optimizer adam --lr 0\.0001 --schedule constant --warmup 0 --augment none --epochs 10$/m);
  assert.match(text, /^best: .*\n.*--ema 0\.999 --mixup 0\.2 --label-smoothing 0\.1/m);
});

test('a recipe fills every setting not given; config records its name and the resolved values', () => {
  const c = resolveRunConfig({ train: 'x', recipe: 'fast', seed: 1 });
  assert.equal(c.recipe, 'fast');
  assert.deepEqual(
    [c.model, c.size, c.batchSize, c.epochs, c.lr, c.schedule, c.warmupSteps, c.augment, c.precision, c.validationSplit, c.ema, c.mixup],
    ['resnet18-half', 128, 32, 22, 1e-3, 'cosine', 100, { flip: true, padCrop: 16 }, bf16, 0.05, 0, 0],
  );
  const seed = resolveRunConfig({ train: 'x', recipe: 'seed', seed: 1 });
  assert.deepEqual([seed.model, seed.size, seed.init, seed.lr, seed.warmupSteps, seed.augment, seed.schedule, seed.epochs], ['lenet5', 150, 'tutorial', 1e-4, 0, false, 'constant', 10]);
  const best = resolveRunConfig({ train: 'x', recipe: 'best', seed: 1 });
  assert.deepEqual([best.ema, best.mixup, best.labelSmoothing, best.model], [0.999, 0.2, 0.1, 'resnet18-half']);
  assert.equal(resolveRunConfig({ train: 'x', seed: 1 }).recipe, null);
});

test('settings given win over the recipe; settings tied to a changed one are left to their defaults', () => {
  const given = resolveRunConfig({ train: 'x', recipe: 'fast', epochs: 3, augment: false, precision: 'float32', size: 64 });
  assert.deepEqual([given.epochs, given.augment, given.precision, given.size, given.model], [3, false, 'float32', 64, 'resnet18-half']);
  // The seed recipe on another network: its lr, lenet5-only initialization go with LeNet-5.
  const other = resolveRunConfig({ train: 'x', recipe: 'seed', model: 'resnet18-half' });
  assert.deepEqual([other.model, other.init, other.lr, other.size, other.warmupSteps], ['resnet18-half', 'default', 1e-3, 150, 0]);
  const bySteps = resolveRunConfig({ train: 'x', recipe: 'fast', steps: 10 });
  assert.deepEqual([bySteps.steps, bySteps.epochs], [10, null]);
  const oneCycle = resolveRunConfig({ train: 'x', recipe: 'fast', schedule: 'one-cycle' });
  assert.deepEqual([oneCycle.schedule, oneCycle.warmupSteps], ['one-cycle', 0]);
  // Fine-tuning (--init-from) keeps the imported network's size and its own default lr; the rest of the recipe applies.
  const tuned = withRecipe({ train: 'x', recipe: 'fast', initFrom: 'runs/old', model: 'lenet5', size: 96 });
  assert.deepEqual([tuned.model, tuned.size, tuned.lr, tuned.epochs, tuned.schedule], ['lenet5', 96, undefined, 22, 'cosine']);
  assert.throws(() => resolveRunConfig({ train: 'x', recipe: 'fastest' }), /^ImgclassError: Unknown recipe 'fastest'; the recipes are seed, fast, best\.$/);
});

test('an unknown recipe is wrong usage: one sentence naming the recipes, exit code 2; help lists them', async () => {
  for (const args of [['train', 'data/train', '--recipe', 'quick'], ['train', '--resume', 'runs/x', '--recipe', 'quick']]) {
    const r = await cli(...args);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "error: Unknown recipe 'quick'; the recipes are seed, fast, best.");
  }
  const conflict = await cli('train', 'data/train', '--bf16', '--precision', 'float32');
  assert.equal(conflict.code, 2);
  assert.equal(conflict.stderr, 'error: --bf16 and --precision float32 disagree; give one of them.');
  const help = (await cli('train', '--help')).stdout;
  for (const recipe of RECIPES) assert.match(help, new RegExp(`^ {2}${recipe.name} +${recipe.summary.replace(/[.()×±]/g, '.')}$`, 'm'));
  assert.match(help, /--recipe NAME +seed, fast, best: /);
});

test('train --recipe seed: the run keeps the recipe and its values, and --resume continues with them', async () => {
  const work = tempDir();
  const set = await tinyPictureSet();
  const run = path.join(work, 'run');
  const cacheDir = path.join(work, 'cache');
  const started = await cli('train', set.train, '--recipe', 'seed', '--size', '16', '--steps', '2', '--out', run, '--cache-dir', cacheDir, '--no-report');
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stdout, /Plan: 2 steps .* adam lr 0\.0001 constant, seed \d+, recipe seed/);
  const config = () => JSON.parse(readFileSync(path.join(run, 'config.json'), 'utf8')) as RunConfig & { createdAt: string };
  const saved = config();
  assert.deepEqual([saved.recipe, saved.model, saved.size, saved.init, saved.warmupSteps, saved.augment, saved.lr, saved.steps], ['seed', 'lenet5', 16, 'tutorial', 0, false, 1e-4, 2]);
  const resumed = await cli('train', '--resume', run, '--steps', '3', '--cache-dir', cacheDir, '--no-report');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual({ ...config(), steps: 2, createdAt: saved.createdAt }, saved, 'only the length changed');
  const report = await cli('report', run, '--no-png');
  assert.equal(report.code, 0, report.stderr);
  assert.match(readFileSync(path.join(run, 'report.html'), 'utf8'), /<dt>recipe<\/dt><dd>seed<\/dd>/);
  const other = await cli('train', '--resume', run, '--recipe', 'fast', '--cache-dir', cacheDir);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /^error: The run was started with recipe = "seed", but "fast" was given; resume without that option or start a new run\.$/);
});
