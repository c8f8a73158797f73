import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { imgclassWithPreload } from './distributed-fixtures';
import { tempDir, tinyPictureSet } from './imgclass-fixtures';

test('without its native addon, decoding pictures is one sentence naming the fix, and info still runs', { timeout: 60_000 }, async () => {
  const work = tempDir();
  const set = await tinyPictureSet(path.join(work, 'set'));
  // Simulates an install whose addon was never built (libjpeg-turbo's headers missing at npm ci).
  const preload = path.join(work, 'no-native-addon.js');
  writeFileSync(
    preload,
    "const Module = require('module'); const load = Module._extensions['.node'];\n" +
      "Module._extensions['.node'] = (m, file) => { if (file.endsWith('imgclass_native.node')) { const e = new Error(`Cannot find module '${file}'`); e.code = 'MODULE_NOT_FOUND'; throw e; } return load(m, file); };\n",
  );
  const inspect = await imgclassWithPreload(preload, ['inspect', set.train, '--cache-dir', 'cache'], work);
  assert.equal(inspect.code, 1, inspect.stderr);
  const lines = inspect.stderr.trim().split('\n');
  assert.equal(lines.length, 1, inspect.stderr);
  assert.match(lines[0], /^error: imgclass: its native addon is not built: run `apt-get install libjpeg62-turbo-dev g\+\+ make python3 && npm rebuild imgclass` \(Cannot find module '.*imgclass_native\.node'\)\.$/);

  const info = await imgclassWithPreload(preload, ['info'], work);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /^imgclass\s+\d/m);
});
