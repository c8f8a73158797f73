import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { ImgclassError } from '../src/errors';
import { lockRunFolder, RUN_LOCK } from '../src/io/run-lock';
import { startCli, tempDir, tinyPictureSet } from './imgclass-fixtures';

const inUse = (pattern: RegExp) => (err: unknown) => err instanceof ImgclassError && err.code === 'RUN_IN_USE' && pattern.test(err.message);

/** The PID of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid as number;
}

test('one owner at a time: a second lock names the owner; release frees the folder', async () => {
  const dir = tempDir();
  const lock = await lockRunFolder(dir);
  const owner = JSON.parse(readFileSync(path.join(dir, RUN_LOCK), 'utf8'));
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.host, os.hostname());
  await assert.rejects(lockRunFolder(dir), inUse(new RegExp(`^The run folder '.*' is in use by process ${process.pid} on ${os.hostname()} \\(since .*\\)\\.$`)));
  await lock.release();
  assert.ok(!existsSync(path.join(dir, RUN_LOCK)));
  await (await lockRunFolder(dir)).release();
});

test('concurrent attempts in one process: exactly one wins', async () => {
  const dir = tempDir();
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockRunFolder(dir)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'fulfilled') await r.value.release();
});

test('a stale lock (its process is gone) is taken over with a message; another host\'s lock is not', async () => {
  const dir = tempDir();
  const file = path.join(dir, RUN_LOCK);
  const pid = deadPid();
  writeFileSync(file, JSON.stringify({ pid, host: os.hostname(), since: '2026-01-01T00:00:00Z', command: 'imgclass train', nonce: 'old' }));
  const messages: string[] = [];
  const lock = await lockRunFolder(dir, (m) => messages.push(m));
  assert.deepEqual(messages, [`The run folder '${dir}' was locked by process ${pid} on ${os.hostname()}, which no longer runs; taking it over.`]);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid);
  await lock.release();

  // A PID that runs again, but as another process (its start time differs): stale too.
  writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname(), startTicks: 1, since: 'x', command: 'y', nonce: 'z' }));
  const recycled = await lockRunFolder(dir);
  await recycled.release();

  // Torn or foreign content: a writer may still be at work for a moment, so only an old one is stale.
  writeFileSync(file, '{"pid": 12');
  const old = new Date(Date.now() - 5 * 60_000);
  utimesSync(file, old, old);
  const torn: string[] = [];
  await (await lockRunFolder(dir, (m) => torn.push(m))).release();
  assert.deepEqual(torn, [`The run folder '${dir}' had an unreadable lock file older than a minute; taking it over.`]);

  writeFileSync(file, JSON.stringify({ pid, host: 'gpu-box-7', since: '2026-01-01T00:00:00Z', command: 'imgclass train data', nonce: 'n' }));
  await assert.rejects(lockRunFolder(dir), inUse(new RegExp(`is in use by process ${pid} on gpu-box-7 .*; if that process is gone, delete .*${RUN_LOCK}\\.$`)));
});

test('four processes racing for one stale lock: exactly one owns the folder', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, RUN_LOCK), JSON.stringify({ pid: deadPid(), host: os.hostname(), since: 'x', command: 'y', nonce: 'stale' }));
  const go = path.join(dir, 'go');
  const done = path.join(dir, 'done');
  const lockModule = pathToFileURL(path.resolve(__dirname, '..', 'src', 'io', 'run-lock.ts')).href;
  // Each waits for 'go' so they start together, then holds what it got until 'done'.
  const script = `
    const { existsSync } = await import('node:fs');
    const loaded = await import(${JSON.stringify(lockModule)});
    const { lockRunFolder } = loaded.default ?? loaded; // the package is CommonJS: tsx puts its exports on default
    const wait = async (f) => { while (!existsSync(f)) await new Promise((r) => setTimeout(r, 5)); };
    console.log('ready');
    await wait(${JSON.stringify(go)});
    try {
      const lock = await lockRunFolder(${JSON.stringify(dir)});
      console.log('locked');
      await wait(${JSON.stringify(done)});
      await lock.release();
    } catch (err) {
      console.log(err.code === 'RUN_IN_USE' ? 'refused' : 'error: ' + err.message);
    }`;
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const children = Array.from({ length: 4 }, () => {
    const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    return { child, output: () => out, exited: new Promise<void>((resolve) => child.on('close', () => resolve())) };
  });
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((r) => setTimeout(r, 20));
  };
  await until(() => children.every((c) => c.output().includes('ready')));
  writeFileSync(go, '');
  await until(() => children.every((c) => /locked|refused|error/.test(c.output())));
  const outcomes = children.map((c) => c.output().trim().split('\n').pop()).sort();
  writeFileSync(done, '');
  await Promise.all(children.map((c) => c.exited));
  assert.deepEqual(outcomes, ['locked', 'refused', 'refused', 'refused']);
  assert.ok(!existsSync(path.join(dir, RUN_LOCK)), 'released by its owner');
});

test('two `imgclass train` processes on one run folder: the second names the first and exits 1; Ctrl-C releases the lock', { timeout: 180_000 }, async () => {
  const work = tempDir();
  const set = await tinyPictureSet(path.join(work, 'pictures'));
  const run = path.join(work, 'run');
  const common = ['--size', '16', '--batch', '8', '--cache-dir', path.join(work, 'cache')];
  const first = startCli(['train', set.train, ...common, '--epochs', '100000', '--out', run], work);
  await first.waitForOutput(/Run folder: /);
  const pid = first.child.pid as number;
  const owner = new RegExp(`^error: The run folder '${run}' is in use by process ${pid} on ${os.hostname()} \\(since \\S+: imgclass train .*\\)\\.\\n$`);

  const fresh = await startCli(['train', set.train, ...common, '--out', run], work).done;
  assert.equal(fresh.code, 1, fresh.stderr);
  assert.match(fresh.stderr, owner);
  const resumed = await startCli(['train', '--resume', run, '--cache-dir', path.join(work, 'cache')], work).done;
  assert.equal(resumed.code, 1, resumed.stderr);
  assert.match(resumed.stderr, owner);

  first.child.kill('SIGINT');
  const stopped = await first.done;
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.ok(!existsSync(path.join(run, RUN_LOCK)), 'released on Ctrl-C');
  const metrics = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8');
  assert.ok(metrics.split('\n').every((line) => line === '' || JSON.parse(line)), 'one writer: whole lines only');
});

test('a lock left by a killed process is taken over by the next resume, which says so', { timeout: 180_000 }, async () => {
  const work = tempDir();
  const set = await tinyPictureSet(path.join(work, 'pictures'));
  const run = path.join(work, 'run');
  const first = startCli(['train', set.train, '--size', '16', '--batch', '8', '--epochs', '100000', '--save-every', '2', '--cache-dir', path.join(work, 'cache'), '--out', run], work);
  await first.waitForOutput(/\nstep \d+ /);
  first.child.kill('SIGKILL');
  await first.done;
  assert.ok(existsSync(path.join(run, RUN_LOCK)), 'kill -9 leaves the lock');
  const resumed = await startCli(['train', '--resume', run, '--steps', '4', '--cache-dir', path.join(work, 'cache'), '--no-report'], work).done;
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`warning: The run folder '${run}' was locked by process ${first.child.pid} on ${os.hostname()}, which no longer runs; taking it over\\.`));
  assert.ok(!existsSync(path.join(run, RUN_LOCK)));
});
