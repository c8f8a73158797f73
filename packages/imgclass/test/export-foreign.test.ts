import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ImgclassError } from '../src/errors';
import { evaluate } from '../src/evaluate/evaluate';
import { exportOnnx } from '../src/export/onnx-export';
import { withClassifierHead } from '../src/trained-network/fine-tune-head';
import { loadForeignModel } from '../src/trained-network/foreign-model';
import { foreignModelOptions } from '../src/cli/foreign-model-flags';
import { predict } from '../src/predict/predict';
import { runCli } from '../src/cli/main';
import { HAVE_PICTURES, NO_PICTURES_REASON, pictures, tempDir } from './export-fixtures';
import { captureOutput } from './imgclass-fixtures';
import { saveForeignModel } from './foreign-model-fixtures';

function modelFileError(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ImgclassError, String(err));
    assert.match(err.message, pattern);
    return true;
  };
}

describe('importing a TensorFlow.js layers model imgclass did not make', { skip: HAVE_PICTURES ? false : NO_PICTURES_REASON }, () => {
  test('needs its preprocessing; then predict and evaluate use it, with probabilities', async () => {
    const dir = await saveForeignModel();
    await assert.rejects(loadForeignModel(dir, {}), modelFileError(/was not made by imgclass.*--normalization/));
    const c = await loadForeignModel(dir, { normalization: 'unit', resizeMode: 'cover', classes: ['cat', 'dog'] });
    assert.equal(c.appendedSoftmax, true, 'raw scores get a softmax');
    assert.deepEqual(c.preprocessing, { version: 1, width: 24, height: 24, channels: 3, resizeMode: 'cover', normalization: { kind: 'unit' } });
    const results = await predict(c, pictures('test', 4), { top: 2 });
    for (const r of results) assert.ok(Math.abs(r.top[0].probability + r.top[1].probability - 1) < 1e-5);

    const evalDir = tempDir();
    for (const file of pictures('test', 10)) {
      const cls = path.basename(path.dirname(file));
      mkdirSync(path.join(evalDir, cls), { recursive: true });
      symlinkSync(file, path.join(evalDir, cls, path.basename(file)));
    }
    const report = await evaluate(c, evalDir, { cacheDir: path.join(tempDir(), 'cache') });
    assert.equal(report.images, 10);
    assert.deepEqual(report.classes, ['cat', 'dog']);

    // Imported models export like imgclass's own: the appended Softmax layer gives ONNX a logits output too.
    const onnx = await exportOnnx(c, { out: path.join(tempDir(), 'foreign.onnx') });
    assert.ok(onnx.check?.passed && onnx.check.maxLogitDifference !== null);
    c.model.dispose();
  });

  test('imgclass predict takes such a model with its preprocessing flags, and says what is missing without them', async () => {
    const dir = await saveForeignModel();
    const picture = pictures('test', 2)[0];
    const withFlags = captureOutput();
    const code = await runCli(['predict', dir, picture, '--normalization', 'unit', '--classes', 'cat,dog', '--json'], withFlags);
    assert.equal(code, 0, withFlags.stderr());
    const [result] = JSON.parse(withFlags.stdout());
    assert.ok(['cat', 'dog'].includes(result.top[0].className), withFlags.stdout());
    const without = captureOutput();
    assert.equal(await runCli(['predict', dir, picture], without), 1);
    assert.match(without.stderr(), /not saved by imgclass|was not made by imgclass|--normalization/);
  });

  test('the command-line flags become loader options', () => {
    assert.equal(foreignModelOptions({}), undefined);
    assert.deepEqual(foreignModelOptions({ normalization: 'mean-std', mean: '0.485,0.456,0.406', std: '0.229, 0.224, 0.225', classes: 'a,b' }), {
      normalization: { kind: 'mean-std', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      resizeMode: undefined,
      classes: ['a', 'b'],
    });
    assert.throws(() => foreignModelOptions({ normalization: 'unit', mean: '1,2,3' }), /--mean and --std go with --normalization mean-std/);
    assert.throws(() => foreignModelOptions({ normalization: 'zscore' }), /must be standardize, unit or mean-std/);
    assert.throws(() => foreignModelOptions({ normalization: 'unit', 'resize-mode': 'squash' }), /--resize-mode must be one of/);
  });

  test('damaged files are named with what is wrong', async () => {
    const wrongCount = await saveForeignModel();
    await assert.rejects(loadForeignModel(wrongCount, { normalization: 'unit', classes: ['a', 'b', 'c'] }), modelFileError(/has 2 outputs but 3 class names/));

    const truncated = await saveForeignModel();
    const shard = path.join(truncated, 'group1-shard2of2.bin');
    truncateSync(shard, 100);
    await assert.rejects(loadForeignModel(truncated, { normalization: 'unit' }), modelFileError(/2 weight files next to .*model\.json.*: the weights are \d+ bytes but model\.json describes \d+ \(truncated/));

    const missing = await saveForeignModel();
    unlinkSync(path.join(missing, 'group1-shard1of2.bin'));
    await assert.rejects(loadForeignModel(missing, { normalization: 'unit' }), modelFileError(/group1-shard1of2\.bin': the weights file listed in model\.json is missing/));

    const edited = await saveForeignModel();
    const json = path.join(edited, 'model.json');
    writeFileSync(json, readFileSync(json, 'utf8').slice(0, 200));
    await assert.rejects(loadForeignModel(edited, { normalization: 'unit' }), modelFileError(/model\.json': it is not valid JSON/));

    const renamed = await saveForeignModel();
    const renamedJson = path.join(renamed, 'model.json');
    writeFileSync(renamedJson, readFileSync(renamedJson, 'utf8').replace('"Conv2D"', '"Conv9D"'));
    await assert.rejects(loadForeignModel(renamed, { normalization: 'unit' }), modelFileError(/TensorFlow\.js rejected it \(.*Conv9D/));

    const graphModel = tempDir();
    writeFileSync(path.join(graphModel, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: {}, weightsManifest: [] }));
    await assert.rejects(loadForeignModel(graphModel, { normalization: 'unit' }), modelFileError(/graph model; imgclass needs a layers model/));
  });

  test('train --init-from with another number of classes: a fresh head on the imported features', async () => {
    const c = await loadForeignModel(await saveForeignModel(5), { normalization: 'standardize' });
    const tuned = withClassifierHead(c.model, 2, 7);
    assert.deepEqual(tuned.outputs[0].shape, [null, 2]);
    const last = tuned.layers[tuned.layers.length - 1];
    assert.equal(last.getConfig().activation, 'softmax');
    // Every imported feature layer is shared, weights and all.
    const imported = c.model.layers.find((l) => l.getClassName() === 'Conv2D');
    assert.ok(imported && tuned.layers.includes(imported));
    assert.equal(withClassifierHead(c.model, 5), c.model, 'the same class count keeps the model');
    tuned.dispose();
  });
});
