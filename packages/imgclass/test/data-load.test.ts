import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DatasetError, formatReport, loadEvaluationSet, loadImageFolder } from '../src/data';
import { stratifiedSplit } from '../src/data/split';
import { makeClassFolders, tempDir, warningSink, writePng, writeSolid } from './data-helpers';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());
const cacheDir = () => path.join(dir, 'cache');
const quiet = { onWarning: () => undefined };

describe('sources', () => {
  test('class names with spaces and non-ASCII letters, in fixed code-point order', async () => {
    const root = path.join(dir, 'names');
    await makeClassFolders(root, { 'chat noir': 1, ćma: 1, Zebra: 1, äpfel: 1 });
    const data = await loadImageFolder({ roots: root, cacheDir: cacheDir(), ...quiet });
    assert.deepEqual(data.classes, ['Zebra', 'chat noir', 'äpfel', 'ćma']);
    for (const s of data.train.samples) assert.equal(path.basename(path.dirname(s.path)), data.classes[s.label]);
    await data.close();
  });

  test('flat folder with labels from the file-name prefix', async () => {
    const root = path.join(dir, 'kaggle');
    for (const name of ['cat.1.png', 'cat.22.png', 'dog.3.png', 'dog.4.png', 'dog.5.png']) await writeSolid(path.join(root, name), [10, 20, 30]);
    await writeSolid(path.join(root, 'noprefix.png'), [10, 20, 30]);
    const sink = warningSink();
    const data = await loadImageFolder({ roots: root, layout: 'filename-prefix', cacheDir: cacheDir(), onWarning: sink.onWarning });
    assert.deepEqual(data.classes, ['cat', 'dog']);
    assert.deepEqual(data.report.splits.train.perClass, { cat: 2, dog: 3 });
    assert.match(data.report.skipped[0].reason, /no class prefix/);
    await data.close();
  });

  test('several roots are merged when their classes agree', async () => {
    await makeClassFolders(path.join(dir, 'full'), { cat: 2, dog: 2 }, 12);
    await makeClassFolders(path.join(dir, 'pool'), { cat: 3, dog: 1 }, 6);
    const data = await loadImageFolder({ roots: [path.join(dir, 'full'), path.join(dir, 'pool')], cacheDir: cacheDir(), ...quiet });
    assert.deepEqual(data.report.splits.train.perClass, { cat: 5, dog: 3 });
    assert.deepEqual(data.report.imageSize && [data.report.imageSize.minWidth, data.report.imageSize.maxWidth], [6, 12]);
    await data.close();
  });
});

describe('validation data', () => {
  test('from a test folder with the same classes; not shuffled by default', async () => {
    await makeClassFolders(path.join(dir, 'tt', 'train'), { cat: 4, dog: 4 });
    await makeClassFolders(path.join(dir, 'tt', 'test'), { cat: 2, dog: 3 });
    const data = await loadImageFolder({
      roots: path.join(dir, 'tt', 'train'), validationRoots: path.join(dir, 'tt', 'test'), cacheDir: cacheDir(), ...quiet,
    });
    assert.ok(data.validation);
    assert.deepEqual(data.report.splits.validation?.perClass, { cat: 2, dog: 3 });
    const order: string[] = [];
    for await (const b of data.validation.batches({ batchSize: 2 })) {
      order.push(...b.paths);
      b.xs.dispose();
      b.ys.dispose();
    }
    assert.deepEqual(order, data.validation.samples.map((s) => s.path));
    await data.close();
  });

  test('without a test folder: a seeded, stratified split', async () => {
    const root = path.join(dir, 'split');
    await makeClassFolders(root, { cat: 10, dog: 4 });
    const load = (seed: number) => loadImageFolder({ roots: root, validationSplit: 0.25, seed, cacheDir: cacheDir(), ...quiet });
    const a = await load(1);
    const b = await load(1);
    const c = await load(2);
    assert.deepEqual(a.report.splits.validation?.perClass, { cat: 3, dog: 1 });
    assert.deepEqual(a.report.splits.train.perClass, { cat: 7, dog: 3 });
    const paths = (d: typeof a, split: 'train' | 'validation') => d[split]?.samples.map((s) => s.path) ?? [];
    assert.deepEqual(paths(a, 'validation'), paths(b, 'validation'));
    assert.notDeepEqual(paths(a, 'validation'), paths(c, 'validation'));
    const all = new Set([...paths(a, 'train'), ...paths(a, 'validation')]);
    assert.equal(all.size, 14, 'train and validation are disjoint and complete');
    assert.match(a.report.splits.validation?.source[0] ?? '', /25% split/);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  test('stratifiedSplit keeps at least one of each class on both sides', () => {
    const labels = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2];
    const { train, validation } = stratifiedSplit(labels, 0.1, 3);
    // class 0: 2 x 0.1 rounds to 0, raised to 1; class 1: 8 x 0.1 rounds to 1; class 2 has a single image
    assert.deepEqual(validation.map((i) => labels[i]).sort(), [0, 1]);
    assert.ok(train.some((i) => labels[i] === 0));
    assert.ok(train.includes(10), 'a class with one image stays in training');
  });
});

describe('evaluation sets', () => {
  test('one class is fine and labels follow the model class list', async () => {
    const root = path.join(dir, 'eval');
    await makeClassFolders(root, { dog: 2 });
    const data = await loadEvaluationSet({ roots: root, classes: ['cat', 'dog'], cacheDir: cacheDir(), ...quiet });
    assert.deepEqual(data.classes, ['cat', 'dog']);
    assert.ok(data.dataset.samples.every((s) => s.label === 1));
    assert.throws(() => data.dataset.batches({ augment: true }), DatasetError);
    await data.close();
    await assert.rejects(
      loadEvaluationSet({ roots: root, classes: ['cat', 'bird'], cacheDir: cacheDir(), ...quiet }),
      (e: unknown) => e instanceof DatasetError && e.code === 'CLASS_MISMATCH',
    );
  });
});

describe('report', () => {
  test('counts, sizes, formats and a class imbalance warning, as data and as text', async () => {
    const root = path.join(dir, 'imbalanced');
    await makeClassFolders(root, { cat: 6, dog: 2 }, 10);
    await writePng(path.join(root, 'dog', 'big.png'), 30, 20, () => [1, 2, 3]);
    const sink = warningSink();
    const data = await loadImageFolder({ roots: root, cacheDir: cacheDir(), onWarning: sink.onWarning });
    const r = data.report;
    assert.deepEqual(r.splits.train.perClass, { cat: 6, dog: 3 });
    assert.equal(r.imbalanceRatio, 2);
    assert.ok(r.warnings.some((w) => /Class imbalance: 'cat' has 6 .* 'dog' only 3/.test(w)));
    assert.deepEqual(sink.messages, r.warnings);
    assert.deepEqual(r.imageSize, { count: 9, minWidth: 10, maxWidth: 30, medianWidth: 10, minHeight: 10, maxHeight: 20, medianHeight: 10 });
    assert.deepEqual(r.formats, { png: 9 });
    assert.equal(r.summary, 'All 9 image files are usable.');
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
    const text = formatReport(r);
    assert.match(text, /^Classes \(2\): cat, dog$/m);
    assert.match(text, /^train: 9 images \(cat 6, dog 3\)/m);
    await data.close();
  });
});
