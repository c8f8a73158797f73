import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { exportCommand } from '../src/cli/export-command';
import { Output, parseCommandArgs, UsageError } from '../src/cli/command';
import { saveModelFiles } from '../src/trained-network/model-files';
import { seededClassifier, tempDir } from './export-fixtures';

/** Runs `imgclass export <args>` through the command module, capturing what it prints. */
async function runExport(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const lines = { out: [] as string[], err: [] as string[] };
  const output: Output = { out: (t) => lines.out.push(t), err: (t) => lines.err.push(t), status: () => undefined, clearStatus: () => undefined };
  const { positionals, values } = parseCommandArgs(exportCommand, args);
  const code = await exportCommand.run({ positionals, values, out: output });
  return { code, stdout: lines.out.join('\n'), stderr: lines.err.join('\n') };
}

async function savedModel(): Promise<string> {
  const c = seededClassifier('lenet5', 16);
  const dir = path.join(tempDir(), 'model');
  await saveModelFiles(c.model, dir, { model: 'lenet5', classes: c.classes, preprocessing: c.preprocessing });
  c.model.dispose();
  return dir;
}

describe('imgclass export (command module)', () => {
  test('writes each format and says what it wrote', async () => {
    const model = await savedModel();
    const out = tempDir();
    const onnx = await runExport([model, '--format', 'onnx', '--out', path.join(out, 'm.onnx')]);
    assert.equal(onnx.code, 0);
    assert.match(onnx.stdout, /Wrote .*m\.onnx \(.*B, \d+ nodes, opset 13; preprocessing in metadata_props\)/);
    assert.match(onnx.stdout, /Checked with onnxruntime-node [\d.]+ on 4 test pictures: max difference .* in logits/);

    const tfjs = await runExport([model, '--format', 'tfjs', '--out', path.join(out, 'tfjs')]);
    assert.match(tfjs.stdout, /Wrote a TensorFlow\.js layers model to .*tfjs\/ \(model\.json, group1-shard1of1\.bin, metadata\.json;/);

    const web = await runExport([model, '--format', 'web', '--out', path.join(out, 'web')]);
    assert.match(web.stdout, /Serve that folder over HTTP/);
    assert.deepEqual(readdirSync(path.join(out, 'web')).sort(), ['README.txt', 'app.js', 'index.html', 'model', 'preprocess.js', 'tf.min.js']);
  });

  test('wrong usage is a UsageError with the fix', async () => {
    const model = await savedModel();
    await assert.rejects(runExport([model, '--out', 'x']), (e: unknown) => e instanceof UsageError && /Give --format \(tfjs, web, onnx\)/.test(e.message));
    await assert.rejects(runExport([model, '--format', 'onnx']), /Give --out, the \.onnx file to write/);
    await assert.rejects(runExport([model, '--format', 'pb', '--out', 'x']), /--format must be one of tfjs, web, onnx/);
  });

  test('a model path that is not a model leaves no output', async () => {
    const out = path.join(tempDir(), 'web');
    await assert.rejects(runExport([path.join(tempDir(), 'nothing'), '--format', 'web', '--out', out]), /does not exist/);
    assert.equal(existsSync(out), false);
  });
});
