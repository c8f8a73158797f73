import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { resolveRunConfig, resumeConflicts } from '../src/trained-network/run-config';

test("defaults follow the seed: lenet5, 150, batch 32, Adam at 1e-4, log every 50 steps", () => {
  const c = resolveRunConfig({ train: 'data/train', seed: 1 });
  assert.equal(c.model, 'lenet5');
  assert.equal(c.size, 150);
  assert.equal(c.batchSize, 32);
  assert.equal(c.optimizer, 'adam');
  assert.equal(c.lr, 1e-4);
  assert.equal(c.logEvery, 50);
  assert.equal(c.epochs, 10);
  assert.equal(c.warmupSteps, 100, 'keeps LeNet-5 with He initialization from dying in its first Adam steps');
  assert.deepEqual(c.train, [path.resolve('data/train')], 'folders are saved absolute so a resume works from anywhere');
});

test('models bring their own default learning rate; a missing seed is drawn and recorded', () => {
  assert.equal(resolveRunConfig({ train: 'x', model: 'mobilenet' }).lr, 1e-3);
  assert.ok(Number.isInteger(resolveRunConfig({ train: 'x' }).seed));
});

test('impossible values are rejected with one sentence', () => {
  assert.throws(() => resolveRunConfig({ train: 'x', batchSize: 0 }), /batch size must be a positive integer, got 0/);
  assert.throws(() => resolveRunConfig({ train: 'x', epochs: 2, steps: 5 }), /either epochs or steps/);
  assert.throws(() => resolveRunConfig({ train: 'x', lr: -1 }), /learning rate must be a positive number/);
  assert.throws(() => resolveRunConfig({ train: 'x', labelSmoothing: 1 }), /label smoothing must be in \[0, 1\)/);
  assert.throws(() => resolveRunConfig({ train: 'x', weightDecay: -0.1 }), /weight decay must be 0 or more/);
  // AdamW multiplies kernels by 1 - lr·decay each step: only lr·decay >= 1 is impossible (decay 1e4 at lr 1e-4).
  assert.throws(() => resolveRunConfig({ train: 'x', lr: 1e-4, weightDecay: 1e4 }), /below 1 \/ learning rate/);
  assert.equal(resolveRunConfig({ train: 'x', lr: 1e-4, weightDecay: 5 }).weightDecay, 5);
  assert.throws(() => resolveRunConfig({ train: 'x', model: 'resnet18', lrn: true }), /lenet5 only/);
  assert.throws(() => resolveRunConfig({ train: 'x', model: 'nope' }), /Unknown model 'nope'/);
});

test('resume accepts a longer run but refuses settings that would change the experiment', () => {
  const saved = resolveRunConfig({ train: 'data/train', epochs: 5, seed: 3 });
  const longer = resumeConflicts(saved, { epochs: 8 });
  assert.equal(longer.epochs, 8);
  const bySteps = resumeConflicts(saved, { steps: 400 });
  assert.equal(bySteps.steps, 400);
  assert.equal(bySteps.epochs, null);
  assert.deepEqual(resumeConflicts(saved, { train: 'data/train', seed: 3 }), saved, 'repeating saved values is fine');
  assert.throws(
    () => resumeConflicts(saved, { lr: 0.01 }),
    /The run was started with lr = 0.0001, but 0.01 was given; resume without that option or start a new run\./,
  );
  assert.throws(() => resumeConflicts(saved, { train: 'other/train' }), /started with train = /);
});
