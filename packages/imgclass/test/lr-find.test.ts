import '../src/backend';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { runCli } from '../src/cli/main';
import { exponentialLr, lrFind, suggestLr } from '../src/train';
import { captureOutput, tempDir, tinyPictureSet } from './imgclass-fixtures';

let train: string;
let work: string;
let cacheDir: string;

before(async () => {
  work = tempDir();
  train = (await tinyPictureSet()).train;
  cacheDir = path.join(work, 'cache');
});

test('the learning rate rises exponentially from start to end and the suggestion lies inside the range', async () => {
  const r = await lrFind({ train, size: 32, batchSize: 8, startLr: 1e-5, endLr: 1, steps: 16, seed: 1, cacheDir });
  assert.equal(r.stoppedEarly, false);
  assert.equal(r.lrs.length, 16);
  assert.equal(r.losses.length, 16);
  assert.ok(Math.abs(r.lrs[0] - 1e-5) < 1e-12);
  assert.ok(Math.abs(r.lrs[15] - 1) < 1e-9);
  const ratio = r.lrs[1] / r.lrs[0];
  for (let i = 1; i < r.lrs.length; i++) assert.ok(Math.abs(r.lrs[i] / r.lrs[i - 1] - ratio) < 1e-9, `constant factor at step ${i}`);
  assert.ok(r.suggestedLr >= 1e-5 && r.suggestedLr <= 1, `suggestion ${r.suggestedLr}`);
  assert.ok(r.losses.every(Number.isFinite));
});

test('a loss that blows up stops the run early', async () => {
  const r = await lrFind({ train, size: 32, batchSize: 8, startLr: 1e-3, endLr: 1e5, steps: 40, seed: 1, cacheDir });
  assert.equal(r.stoppedEarly, true);
  assert.ok(r.lrs.length < 40, `stopped after ${r.lrs.length} steps`);
  const last = r.smoothedLosses[r.smoothedLosses.length - 1];
  const best = Math.min(...r.smoothedLosses.slice(0, -1));
  assert.ok(!Number.isFinite(last) || last > 4 * best);
});

test('the suggestion is the steepest fall of the smoothed loss before its minimum', () => {
  const lrs = Array.from({ length: 10 }, (_, i) => exponentialLr(i, 10, 1e-6, 1e-1));
  const losses = [1, 1, 0.98, 0.9, 0.6, 0.5, 0.45, 0.4, 0.8, 3];
  const { suggestedLr, minimumLr } = suggestLr(lrs, losses);
  assert.equal(minimumLr, lrs[7]);
  assert.ok(suggestedLr > lrs[3] && suggestedLr < lrs[4], `between the 4th and 5th rate: ${suggestedLr}`);
  // No falling stretch at all: minimum/10, but never below the first rate.
  assert.equal(suggestLr(lrs, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).suggestedLr, lrs[0]);
});

test('imgclass lr-find prints the suggestion and writes the plot with a log-scale rate axis', async () => {
  const out = captureOutput();
  const svgFile = path.join(work, 'plots', 'lr.svg');
  const args = ['lr-find', train, '--size', '32', '--batch', '8', '--start', '1e-5', '--end', '1', '--steps', '12', '--seed', '3', '--out', svgFile, '--cache-dir', cacheDir];
  mkdirSync(path.dirname(svgFile), { recursive: true });
  assert.equal(await runCli(args, out), 0, out.stderr());
  assert.match(out.stdout(), /Suggested learning rate: \d(\.\d)?e-\d \(steepest descent of the smoothed loss\)/);
  assert.match(out.stdout(), /minimum\/10 = /);
  const svg = readFileSync(svgFile, 'utf8');
  assert.match(svg, /learning rate \(log scale\)/);
  assert.match(svg, /cross-entropy \(nats\)/);
  assert.match(svg, />1e-4</, 'power-of-ten ticks on the rate axis');
  assert.match(svg, /suggested \d/);
  assert.ok(existsSync(svgFile.replace(/\.svg$/, '.png')));
  const help = captureOutput();
  assert.equal(await runCli(['lr-find', '--help'], help), 0);
  assert.match(help.stdout(), /Examples:\n  imgclass lr-find data\/train/);
});
