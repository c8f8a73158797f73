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
