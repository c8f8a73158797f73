import '../src/backend';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { listStepCheckpoints } from '../src/trained-network';
import { resumeTraining } from '../src/train';
import { distributedSkipReason, imgclass, imgclassWithPreload, rankPids, relativeDifference, runWeights, startImgclass } from './distributed-fixtures';
import { createTwoHosts, namespacesSkipReason } from './distributed-hosts';
import { tempDir, tinyPictureSet } from './imgclass-fixtures';

// Data-parallel training must take the steps one process takes on the whole batch: the gradients of
// the mean loss over the batch are the picture-count-weighted mean of the ranks' gradients (each of
// its own mean loss), so the weights agree up to float rounding (the bound: relative 1e-4).
const TOLERANCE = 1e-4;
const skip = distributedSkipReason();

let work: string;
let trainDir: string;
let testDir: string;
const common = (run: string) => ['--size', '16', '--batch', '16', '--seed', '3', '--no-report', '--cache-dir', 'cache', '--out', run];

before(async () => {
  work = tempDir();
  const set = await tinyPictureSet(path.join(work, 'set'));
  trainDir = set.train;
  testDir = set.test;
});

test('LeNet-5: 2 ranks × 20 steps of --batch 16 end with the weights of one process', { skip, timeout: 240_000 }, async () => {
  const args = (run: string) => ['train', trainDir, '--model', 'lenet5', '--steps', '20', ...common(run)];
  const one = await imgclass(args('one'), { cwd: work });
  assert.equal(one.code, 0, one.stderr);
  const two = await imgclass(args('two'), { cwd: work, ranks: 2 });
  assert.equal(two.code, 0, two.stderr);
  assert.match(two.stdout, /Distributed: 2 ranks/);
  assert.equal(two.stdout.match(/^Done: /gm)?.length, 1, 'only rank 0 reports');
  assert.match(two.stdout, /Allreduce: [\d.]+ ms per step for 0\.9 MB/);
  const difference = relativeDifference(runWeights(path.join(work, 'one')), runWeights(path.join(work, 'two')));
  assert.ok(difference <= TOLERANCE, `relative difference ${difference}`);
  assert.equal((await listStepCheckpoints(path.join(work, 'two')))[0].step, 20);
  assert.deepEqual(readdirSync(work).filter((n) => !['set', 'cache'].includes(n)).sort(), ['one', 'two'], 'rank 1 wrote no run folder');
});

test('two hosts (network namespaces joined by a veth pair, ranks started through an rsh agent): the same weights', { skip: skip || namespacesSkipReason(), timeout: 240_000 }, async () => {
  const hosts = createTwoHosts(work);
  try {
    const args = ['train', trainDir, '--model', 'lenet5', '--steps', '20', ...common('two-hosts')];
    const result = await imgclass(args, { cwd: work, ranks: 2, hosts });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readFileSync(hosts.agentLog, 'utf8').trim().split('\n'), [hosts.addresses[1]], 'rank 1 was started in the second namespace');
  } finally {
    hosts.remove();
  }
  const difference = relativeDifference(runWeights(path.join(work, 'one')), runWeights(path.join(work, 'two-hosts')));
  assert.ok(difference <= TOLERANCE, `relative difference ${difference}`);
});

test('--resume with another number of ranks: 10 steps in one process + 10 on 2 ranks = 20 in one process', { skip, timeout: 240_000 }, async () => {
  const first = await imgclass(['train', trainDir, '--model', 'lenet5', '--steps', '10', ...common('resumed')], { cwd: work });
  assert.equal(first.code, 0, first.stderr);
  const resumed = await imgclass(['train', '--resume', 'resumed', '--steps', '20', '--no-report', '--cache-dir', 'cache'], { cwd: work, ranks: 2 });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /resuming at step 10/);
  // Adam's moments and step count reached rank 1 too: otherwise the ranks' weights, and rank 0's, would drift from one process's.
  const difference = relativeDifference(runWeights(path.join(work, 'one')), runWeights(path.join(work, 'resumed')));
  assert.ok(difference <= TOLERANCE, `relative difference ${difference}`);
});

test('BatchNorm (resnet18-half): 2 ranks equal one process with --micro-batches 2 (per-rank batch statistics)', { skip, timeout: 300_000 }, async () => {
  const args = (run: string) => ['train', trainDir, '--model', 'resnet18-half', '--size', '32', '--steps', '20', ...common(run).slice(2)];
  const two = await imgclass(args('bn-two'), { cwd: work, ranks: 2 });
  assert.equal(two.code, 0, two.stderr);
  const micro = await imgclass([...args('bn-micro'), '--micro-batches', '2'], { cwd: work });
  assert.equal(micro.code, 0, micro.stderr);
  const whole = await imgclass(args('bn-whole'), { cwd: work });
  assert.equal(whole.code, 0, whole.stderr);
  // Weights and BatchNorm's moving statistics (rank 0's = those after micro-batch 0) alike.
  const same = relativeDifference(runWeights(path.join(work, 'bn-micro')), runWeights(path.join(work, 'bn-two')));
  assert.ok(same <= TOLERANCE, `relative difference to --micro-batches 2: ${same}`);
  // Statistics over the whole batch are a different computation, and it shows.
  const other = relativeDifference(runWeights(path.join(work, 'bn-whole')), runWeights(path.join(work, 'bn-two')));
  assert.ok(other > 100 * TOLERANCE, `whole-batch statistics differ by only ${other}`);
});

test('predict and evaluate on 3 ranks print exactly what one process prints', { skip, timeout: 240_000 }, async () => {
  const run = path.join(work, 'one');
  assert.ok(existsSync(run), 'needs the LeNet-5 run of the first test');
  for (const format of ['--csv', '--json']) {
    // 96 pictures in batches of 8: 12 batches, 4 per rank.
    const args = ['predict', run, path.dirname(trainDir), format, '--batch', '8', '--top', '2'];
    const one = await imgclass(args, { cwd: work });
    const three = await imgclass(args, { cwd: work, ranks: 3 });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(three.code, 0, three.stderr);
    assert.ok(one.stdout.length > 1000);
    assert.equal(three.stdout, one.stdout, `${format} differs`);
  }
  const evaluateArgs = ['evaluate', run, testDir, '--json', '--batch', '4', '--cache-dir', 'cache'];
  const one = await imgclass(evaluateArgs, { cwd: work });
  const three = await imgclass(evaluateArgs, { cwd: work, ranks: 3 });
  assert.equal(three.code, 0, three.stderr);
  const scores = (text: string) => {
    const { report: _timings, ...rest } = JSON.parse(text);
    return rest;
  };
  assert.deepEqual(scores(three.stdout), scores(one.stdout));
});

test('a rank killed mid-training ends the job within seconds, naming the rank; the newest checkpoint resumes', { skip, timeout: 240_000 }, async () => {
  const run = path.join(work, 'killed');
  const job = startImgclass(['train', trainDir, '--model', 'lenet5', '--steps', '100000', '--save-every', '5', ...common('killed')], { cwd: work, ranks: 2 });
  const checkpoints = path.join(run, 'checkpoints');
  while (!(existsSync(checkpoints) && readdirSync(checkpoints).some((n) => n.endsWith('.ckpt')))) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const ranks = rankPids(job.child.pid as number);
  const [rank0, rank1] = [ranks.get(0), ranks.get(1)];
  assert.ok(rank0 && rank1, 'both ranks are running');
  const killedAt = Date.now();
  process.kill(rank1, 'SIGKILL');
  const ended = await job.done;
  const seconds = (Date.now() - killedAt) / 1000;
  assert.notEqual(ended.code, 0);
  assert.ok(seconds < 15, `the job took ${seconds} s to end`);
  assert.match(ended.stderr + ended.stdout, /process rank 1 with PID \d+ on node \S+ exited on signal 9/);
  // mpirun can return while rank 0 is still stopping; its lock on the run holds until it is gone.
  await waitUntilGone(rank0, 15_000);
  const [newest] = await listStepCheckpoints(run);
  assert.ok(newest, 'a checkpoint was written before the kill');
  const resumed = await resumeTraining(run, { steps: newest.step + 1 }, { cacheDir: path.join(work, 'cache') });
  assert.equal(resumed.steps, newest.step + 1);
});

test('a batch that cannot be split over the ranks is one sentence and a non-zero exit on every rank', { skip, timeout: 120_000 }, async () => {
  const result = await imgclass(['train', trainDir, '--model', 'lenet5', '--steps', '1', '--batch', '2', '--out', 'bad', '--cache-dir', 'cache'], { cwd: work, ranks: 3 });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /error: A global batch of 2 pictures cannot be split across 3 ranks; use --batch 3 or more/);
});

test('Ctrl-C on mpirun: every rank stops after the same step and rank 0 saves a checkpoint of it', { skip, timeout: 240_000 }, async () => {
  const run = path.join(work, 'interrupted');
  const job = startImgclass(['train', trainDir, '--model', 'lenet5', '--steps', '100000', ...common('interrupted')], { cwd: work, ranks: 2 });
  const checkpoints = path.join(run, 'checkpoints');
  while (!(existsSync(checkpoints) && readdirSync(checkpoints).some((n) => n.endsWith('.ckpt')))) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  job.child.kill('SIGINT');
  const ended = await job.done;
  assert.notEqual(ended.code, 0);
  const saved = /Interrupted at step (\d+); checkpoint saved: (\S+)/.exec(ended.stderr);
  assert.ok(saved, ended.stderr);
  const [newest] = await listStepCheckpoints(run);
  assert.equal(newest.step, Number(saved[1]));
  assert.equal(newest.file, saved[2]);
});

test('without the MPI addon, --distributed is one sentence naming the Debian packages', { timeout: 60_000 }, async () => {
  // Simulates an install without Open MPI: loading the addon fails as it does when it was never built.
  const preload = path.join(work, 'no-mpi-addon.js');
  writeFileSync(
    preload,
    "const Module = require('module'); const load = Module._extensions['.node'];\n" +
      "Module._extensions['.node'] = (m, file) => { if (file.endsWith('imgclass_mpi.node')) { const e = new Error(`Cannot find module '${file}'`); e.code = 'MODULE_NOT_FOUND'; throw e; } return load(m, file); };\n",
  );
  const result = await imgclassWithPreload(preload, ['train', trainDir, '--steps', '1', '--out', 'no-mpi', '--distributed'], work);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr.trim(),
    'error: Distributed runs need Open MPI: install it with `apt-get install openmpi-bin libopenmpi-dev`, then run `npm rebuild @imgclass/mpi` (the MPI addon was not built).',
  );
});

/** Waits until `pid` has exited (or is a zombie), failing after `ms`. */
async function waitUntilGone(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    let state = '';
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
      return;
    }
    if (state === 'Z') return;
    assert.ok(Date.now() < deadline, `process ${pid} (rank 0) still runs ${ms / 1000} s after the job ended`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
