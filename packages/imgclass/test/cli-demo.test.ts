import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from './imgclass-fixtures';

// The full demo (64×64, 10 epochs) takes about 15 s; one epoch at 16×16 exercises the same path.
test('demo generates pictures, trains, evaluates and predicts one picture, then removes its temporary folder', async () => {
  const cwd = tempDir();
  const r = await runCli(['demo', '--epochs', '1', '--size', '16'], cwd);
  assert.equal(r.code, 0, r.stderr);
  const dir = /== Generating 1000 pictures of dots and stripes in (\S+)\n/.exec(r.stdout)?.[1];
  assert.ok(dir, r.stdout);
  assert.match(r.stdout, /\n== Training LeNet-5\nData: 2 classes \(dots, stripes\); training 800 pictures, validation 200\n/);
  assert.match(r.stdout, /\nAccuracy: \d+\.\d% \(\d+ of 200 pictures\)/);
  assert.match(r.stdout, /\n== Predicting one picture: test\/stripes\/stripes-0000\.jpg\n(dots|stripes) \d+\.\d%\n/);
  assert.match(r.stdout, /\nDemo finished in \d+:\d\d \(\d+\.\d s\): test accuracy \d+\.\d%\.\n$/);
  assert.ok(!existsSync(dir), 'the temporary folder is removed');
});

test('demo --dir keeps the pictures and the run for further commands', async () => {
  const cwd = tempDir();
  const r = await runCli(['demo', '--epochs', '1', '--size', '16', '--dir', 'demo'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(path.join(cwd, 'demo', 'train')).sort(), ['dots', 'stripes']);
  assert.ok(existsSync(path.join(cwd, 'demo', 'run', 'model', 'model.json')));
  assert.match(r.stdout, /\nPictures and run kept in demo; try: imgclass predict demo\/run demo\/test\/dots --top 2\n$/);
});
