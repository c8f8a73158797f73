import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { expandInputs, formatPredictionCsv, formatPredictionTable, formatSingle, globToRegExp } from '../src/predict';
import { tempDir } from './imgclass-fixtures';

test('glob patterns: * and ? stay in one folder, ** spans folders, [..] is a class', () => {
  assert.ok(globToRegExp('*.jpg').test('a.jpg'));
  assert.ok(!globToRegExp('*.jpg').test('x/a.jpg'));
  assert.ok(globToRegExp('**/*.jpg').test('a.jpg'));
  assert.ok(globToRegExp('**/*.jpg').test('x/y/a.jpg'));
  assert.ok(globToRegExp('cat.?.png').test('cat.1.png'));
  assert.ok(globToRegExp('[cd]og.jpg').test('dog.jpg'));
  assert.ok(!globToRegExp('[!d]og.jpg').test('dog.jpg'));
  assert.ok(globToRegExp('a+b (1).jpg').test('a+b (1).jpg'), 'regex characters are literal');
});

test('inputs expand from files, folders (recursive, images only) and globs; nothing found is an error', async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'photos', 'more'), { recursive: true });
  for (const f of ['photos/a.jpg', 'photos/b.PNG', 'photos/notes.txt', 'photos/.hidden.jpg', 'photos/more/c.webp']) {
    writeFileSync(path.join(dir, f), 'x');
  }
  const rel = (files: string[]) => files.map((f) => path.relative(dir, f));
  assert.deepEqual(rel(await expandInputs([path.join(dir, 'photos')])), ['photos/a.jpg', 'photos/b.PNG', 'photos/more/c.webp']);
  assert.deepEqual(rel(await expandInputs([path.join(dir, 'photos/**/*.webp')])), ['photos/more/c.webp']);
  assert.deepEqual(rel(await expandInputs([path.join(dir, 'photos/a.jpg'), path.join(dir, 'photos')])).length, 3, 'no duplicates');
  await assert.rejects(expandInputs([path.join(dir, 'photos/*.gif')]), /No images were found in '.*photos\/\*\.gif'\./);
  await assert.rejects(expandInputs([path.join(dir, 'missing.jpg')]), /'.*missing\.jpg' does not exist\./);
});

test("one picture prints as the seed's test script: `cat 97.3%`; many as a table or CSV", () => {
  const p = { path: 'x/1.jpg', top: [{ className: 'cat', probability: 0.9731 }, { className: 'dog', probability: 0.0269 }] };
  assert.equal(formatSingle({ ...p, top: p.top.slice(0, 1) }), 'cat 97.3%');
  assert.equal(formatSingle(p), 'cat 97.3%, dog 2.7%');
  const skipped = { path: 'x/2.jpg', top: [], error: 'truncated or corrupt' };
  assert.equal(
    formatPredictionTable([{ ...p, top: p.top.slice(0, 1) }, skipped]),
    ['Picture  Class                          Probability', '-------  -----------------------------  -----------', 'x/1.jpg  cat                            97.3%', 'x/2.jpg  skipped: truncated or corrupt'].join('\n'),
  );
  assert.equal(
    formatPredictionCsv([p, skipped]),
    ['path,rank,class,probability,error', 'x/1.jpg,1,cat,0.973100,', 'x/1.jpg,2,dog,0.026900,', 'x/2.jpg,,,,truncated or corrupt'].join('\n'),
  );
});
