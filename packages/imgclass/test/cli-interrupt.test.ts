import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, startCli, tempDir, tinyPictureSet } from './imgclass-fixtures';

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during training saves a checkpoint and exits with code 130; --resume finishes the run`, async () => {
    const work = tempDir();
    await tinyPictureSet(work);
    const args = ['train', 'train', '--size', '16', '--batch', '8', '--steps', '100000', '--log-every', '1', '--seed', '1', '--out', 'run', '--cache-dir', 'cache'];
    const run = startCli(args, work);
    await run.waitForOutput(/\nstep 3 /);
    run.child.kill(signal);
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr);
    const step = Number(/Interrupted at step (\d+); checkpoint saved: .*step-(\d+)\.ckpt\n/.exec(r.stderr)?.[1]);
    assert.ok(step >= 3, r.stderr);
    assert.match(r.stderr, new RegExp(`^\\n${signal}: finishing this step and saving a checkpoint \\(press Ctrl-C again to quit at once\\)\\.\\n`));
    assert.match(r.stderr, /\nContinue with: imgclass train --resume run\n$/);
    const checkpoints = readdirSync(path.join(work, 'run', 'checkpoints'));
    assert.ok(checkpoints.includes(`step-${String(step).padStart(7, '0')}.ckpt`), checkpoints.join(', '));
    assert.ok(checkpoints.every((f) => !f.includes('.tmp')), 'no half-written checkpoint left behind');

    const resumed = await runCli(['train', '--resume', 'run', '--steps', String(step + 2), '--log-every', '1'], work);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`resuming at step ${step}\\n[^]*\\nstep ${step + 1} [^]*\\nDone: ${step + 2} steps`));
  });
}
