import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learningRateAt } from '../src/train/lr-schedule';

const base = { lr: 0.1, schedule: 'constant' as const, warmupSteps: 0, lrStepEvery: null, lrGamma: 0.1, minLr: 0 };

test('constant: the same rate at every step', () => {
  assert.deepEqual([0, 50, 99].map((s) => learningRateAt(s, 100, base)), [0.1, 0.1, 0.1]);
});

test('warm-up rises linearly to the peak, then the schedule takes over', () => {
  const c = { ...base, warmupSteps: 4 };
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((s) => +learningRateAt(s, 100, c).toPrecision(6)), [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]);
});

test('cosine: peak after warm-up, half-way at the middle, min-lr at the end', () => {
  const c = { ...base, schedule: 'cosine' as const, warmupSteps: 10, minLr: 0.01 };
  assert.equal(learningRateAt(10, 110, c), 0.1);
  assert.ok(Math.abs(learningRateAt(60, 110, c) - 0.055) < 1e-12);
  assert.ok(Math.abs(learningRateAt(110, 110, c) - 0.01) < 1e-12);
});

test('step: ×gamma every lr-step-every steps, default every third of the run', () => {
  const c = { ...base, schedule: 'step' as const, lrStepEvery: 10 };
  assert.deepEqual([0, 9, 10, 25].map((s) => +learningRateAt(s, 100, c).toPrecision(6)), [0.1, 0.1, 0.01, 0.001]);
  const thirds = { ...base, schedule: 'step' as const };
  assert.deepEqual([0, 33, 34, 68].map((s) => +learningRateAt(s, 100, thirds).toPrecision(6)), [0.1, 0.1, 0.01, 0.001]);
});

test("one-cycle: PyTorch's OneCycleLR (pct_start 0.25, div 25, final div 1e4, cosine) at chosen steps", () => {
  const c = { ...base, schedule: 'one-cycle' as const };
  const total = 101;
  // Closed form, written out: phase 1 ends at step 0.25·101 − 1 = 24.25, phase 2 at step 100.
  const cos = (from: number, to: number, pct: number) => to + ((from - to) / 2) * (1 + Math.cos(Math.PI * pct));
  const expected = (step: number) => (step <= 24.25 ? cos(0.1 / 25, 0.1, step / 24.25) : cos(0.1, 0.1 / 25 / 1e4, (step - 24.25) / (100 - 24.25)));
  for (const step of [0, 1, 12, 24, 25, 50, 99, 100]) {
    assert.ok(Math.abs(learningRateAt(step, total, c) - expected(step)) < 1e-15, `step ${step}`);
  }
  assert.ok(Math.abs(learningRateAt(0, total, c) - 0.1 / 25) < 1e-15, 'starts at lr / 25');
  assert.ok(Math.abs(learningRateAt(100, total, c) - 0.1 / 25e4) < 1e-18, 'ends at lr / 25e4');
  // The peak lies between steps 24 and 25; both are within 0.1% of it.
  assert.ok(learningRateAt(24, total, c) > 0.0999 && learningRateAt(25, total, c) > 0.0999);
  // With total_steps = 100 PyTorch's phase 1 ends exactly at step 24: 0.004 at step 0, 0.1 at step 24, 4e-7 at step 99.
  const torch100 = (step: number) => learningRateAt(step, 100, c);
  assert.ok(Math.abs(torch100(0) - 0.004) < 1e-12);
  assert.ok(Math.abs(torch100(24) - 0.1) < 1e-12, 'peak at step pct_start·total − 1 = 24');
  assert.ok(Math.abs(torch100(99) - 4e-7) < 1e-15);
  assert.ok(Math.abs(torch100(12) - cos(0.004, 0.1, 12 / 24)) < 1e-15);
});

test('one-cycle ignores the separate warm-up: it defaults to 0 and an explicit one is refused', async () => {
  const { resolveRunConfig } = await import('../src/trained-network/run-config');
  assert.equal(resolveRunConfig({ train: 'x', schedule: 'one-cycle' }).warmupSteps, 0);
  assert.equal(resolveRunConfig({ train: 'x', schedule: 'cosine' }).warmupSteps, 100);
  assert.throws(() => resolveRunConfig({ train: 'x', schedule: 'one-cycle', warmupSteps: 50 }), /warms up by itself/);
});
