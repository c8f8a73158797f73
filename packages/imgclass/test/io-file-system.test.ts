import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli as runCliInProcess } from '../src/cli/main';
import { ImgclassError } from '../src/errors';
import { writeFileAtomic } from '../src/io/atomic-file';
import { withFileContext } from '../src/io/fs-errors';
import { makeDir } from '../src/io/make-dir';
import { captureOutput, startCli, tempDir, tinyPictureSet } from './imgclass-fixtures';

const fileSystemError = (pattern: RegExp) => (err: unknown) =>
  err instanceof ImgclassError && err.code === 'FILE_SYSTEM' && pattern.test(err.message);

/** A tmpfs mounted for the test (root only), or undefined where mounting is not allowed. */
function mountTmpfs(dir: string, options: string): (() => void) | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return () => execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
}

test('makeDir creates missing parents, accepts an existing folder, and says when it made the folder', async () => {
  const root = tempDir();
  const deep = path.join(root, 'a', 'b', 'c');
  assert.equal(await makeDir(deep), true);
  assert.ok(statSync(deep).isDirectory());
  assert.equal(await makeDir(deep), false);
  await Promise.all([1, 2, 3].map(() => makeDir(path.join(root, 'raced', 'x')))); // concurrent callers all succeed
  assert.ok(statSync(path.join(root, 'raced', 'x')).isDirectory());
});

test('under /proc and /sys makeDir fails within a second, naming the folder (Node\'s recursive mkdir spins forever there)', { timeout: 10_000 }, async () => {
  for (const [dir, parent] of [['/proc/imgclass-test/run', '/proc'], ['/sys/imgclass-test/run', '/sys']]) {
    const started = Date.now();
    await assert.rejects(
      makeDir(dir),
      fileSystemError(new RegExp(`^Cannot create the folder '${dir}': '${parent}' does not accept new folders \\(a virtual file system such as /proc or /sys\\)\\.$`)),
    );
    assert.ok(Date.now() - started < 1000, `${dir} took ${Date.now() - started} ms`);
  }
});

test('a file in the way and a read-only file system: one sentence naming the folder and the reason', async (t) => {
  const root = tempDir();
  writeFileSync(path.join(root, 'file'), 'x');
  await assert.rejects(makeDir(path.join(root, 'file', 'run')), fileSystemError(/^Cannot create the folder '.*\/file\/run': '.*\/file' is a file, not a folder\.$/));
  await assert.rejects(makeDir(path.join(root, 'file')), fileSystemError(/a file of that name is in the way\.$/));
  const readOnly = path.join(root, 'ro');
  const unmount = mountTmpfs(readOnly, 'ro,size=64k');
  if (!unmount) return t.skip('mounting a read-only tmpfs needs root');
  try {
    await assert.rejects(makeDir(path.join(readOnly, 'run')), fileSystemError(/^Cannot create the folder '.*\/ro\/run': the file system is read-only\.$/));
  } finally {
    unmount();
  }
});

test('the CLI ends at once on --out and --cache-dir under /proc: one sentence, exit code 1 (real processes)', { timeout: 60_000 }, async () => {
  const work = tempDir();
  for (const args of [['--out', '/proc/imgclass-test/run'], ['--cache-dir', '/proc/imgclass-test/cache', '--out', path.join(work, 'run')]]) {
    const run = startCli(['train', work, ...args], work);
    // Before the fix the process spun at 100% and ignored SIGTERM: SIGKILL it if it ever hangs again.
    const guard = setTimeout(() => run.child.kill('SIGKILL'), 20_000);
    const r = await run.done.finally(() => clearTimeout(guard));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: Cannot create the folder '\/proc\/imgclass-test\/(run|cache\/\S+)': '\/proc' does not accept new folders \(a virtual file system such as \/proc or \/sys\)\.\n$/);
  }
  assert.deepEqual(readdirSync(work), [], 'no run folder left behind');
});

test('a full disk names the file being written, in the library and in the CLI (tmpfs, or an injected failure without root)', { timeout: 120_000 }, async (t) => {
  const root = tempDir();
  const small = path.join(root, 'small');
  const unmount = mountTmpfs(small, 'size=256k');
  if (!unmount) {
    // No mount allowed: Node's error for a failed write names no file; withFileContext adds it.
    const noSpace = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    await assert.rejects(
      withFileContext('/data/runs/x/checkpoints/step-0000002.ckpt', 'write', () => Promise.reject(noSpace)),
      fileSystemError(/^Cannot write '\/data\/runs\/x\/checkpoints\/step-0000002\.ckpt': no space left on the device\.$/),
    );
    return t.skip('mounting a small tmpfs needs root; checked an injected ENOSPC instead');
  }
  try {
    const file = path.join(small, 'big.bin');
    await assert.rejects(writeFileAtomic(file, new Uint8Array(1024 * 1024)), fileSystemError(/^Cannot write '.*\/small\/big\.bin': no space left on the device\.$/));
    assert.deepEqual(readdirSync(small), [], 'the temporary file is removed');

    // A run whose checkpoint (about 2 MB for LeNet-5 at 16×16 with Adam) cannot fit.
    const set = await tinyPictureSet(path.join(root, 'pictures'));
    const r = await startCli(
      ['train', set.train, '--size', '16', '--batch', '8', '--steps', '2', '--save-every', '1', '--cache-dir', path.join(root, 'cache'), '--out', path.join(small, 'run')],
      root,
    ).done;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: Cannot write '.*\/small\/run\/checkpoints\/step-0000001\.ckpt': no space left on the device\.\n$/);
    assert.doesNotMatch(r.stderr, /bug in imgclass/);
    assert.ok(!existsSync(path.join(small, 'run', 'run.lock')), 'the lock is released');
  } finally {
    unmount();
  }
});

test('file-system errors that reach the CLI are one sentence naming the file, not "a bug in imgclass"', async () => {
  const work = tempDir();
  writeFileSync(path.join(work, 'file'), 'x');
  const output = captureOutput();
  const code = await runCliInProcess(['train', work, '--out', path.join(work, 'file', 'run')], output);
  assert.equal(code, 1);
  assert.match(output.stderr(), /^error: Cannot create the folder '.*\/file\/run': '.*\/file' is a file, not a folder\.$/);
});
