import assert from 'node:assert/strict';
import { cp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import '../src/backend';
import { reportCommand } from '../src/cli/report-command';
import type { Output } from '../src/cli/command';
import { writeRunReport } from '../src/report/write-run-report';
import { train } from '../src/train';
import { CONFIG_JSON, MODEL_DIR } from '../src/trained-network/run-folder';
import { tempDir, tinyPictureSet } from './imgclass-fixtures';

function captureOutput(): Output & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (t) => lines.push(t), err: (t) => lines.push(t), status: () => undefined, clearStatus: () => undefined };
}

/** Every external reference an HTML file could make; a self-contained report has none. */
function externalReferences(html: string): string[] {
  const withoutNamespaces = html.replace(/xmlns(:\w+)?="[^"]*"/g, '');
  return [...withoutNamespaces.matchAll(/(?:src|href)\s*=\s*"(?!data:|#)[^"]*"|url\((?!["']?data:)[^)]*\)|https?:\/\/[^\s"'<]+|<script|<link/gi)].map((m) => m[0]);
}

describe('run report', () => {
  const root = tempDir();
  let runDir = '';
  let testDir = '';

  before(async () => {
    const set = await tinyPictureSet(path.join(root, 'pictures'));
    testDir = set.test;
    const result = await train(
      { train: set.train, test: set.test, size: 32, epochs: 2, batchSize: 8, lr: 1e-3, logEvery: 2, seed: 3, out: path.join(root, 'run'), cacheDir: path.join(root, 'cache') },
      {},
    );
    runDir = result.runDir;
  });

  it('writes every chart as SVG and PNG, and one self-contained report.html', async () => {
    const report = await writeRunReport(runDir, { cacheDir: path.join(root, 'cache') });
    const names = report.plots.map((p) => path.relative(runDir, p)).sort();
    const e = report.evaluation;
    assert.ok(e);
    // The mistakes gallery: every wrong answer (up to 16), the most confident first.
    const wrong = e.confusion.flat().reduce((a, b) => a + b, 0) - e.confusion.reduce((a, row, i) => a + row[i], 0);
    assert.equal(e.mistakeCount, wrong);
    assert.equal(e.mistakes.length, Math.min(16, wrong));
    assert.ok(e.mistakes.every((m, i) => !m.correct && (i === 0 || m.probability <= e.mistakes[i - 1].probability)));
    const charts = ['accuracy', 'confusion', 'learning-rate', 'loss', ...(wrong > 0 ? ['mistakes'] : []), 'predictions'];
    assert.deepEqual(names, charts.flatMap((c) => [`plots/${c}.png`, `plots/${c}.svg`]).sort());
    for (const c of charts) {
      const svg = await readFile(path.join(runDir, 'plots', `${c}.svg`), 'utf8');
      const png = await sharp(path.join(runDir, 'plots', `${c}.png`)).metadata();
      const viewBox = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
      assert.ok(viewBox, c);
      assert.equal(png.width, Math.round(Number(viewBox[1]) * 2), `${c}.png at twice the SVG width`);
    }
    assert.equal(report.evaluation?.source, 'test folders');
    assert.equal(report.evaluation?.images, 16);
    assert.equal(report.evaluation?.confusion.flat().reduce((a, b) => a + b, 0), 16);

    const html = await readFile(report.html, 'utf8');
    assert.deepEqual(externalReferences(html), [], 'no network access needed');
    assert.equal((html.match(/<svg /g) ?? []).length, charts.length, 'all charts inlined');
    assert.match(html, /<h2>Most confident mistakes<\/h2>/);
    assert.match(html, /<style>/);
    assert.match(html, /<h2>Per class<\/h2>/);
    // Every sample picture is embedded as a data URI.
    const images = [...html.matchAll(/<image [^>]*href="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(images.length >= 12 && images.every((src) => src.startsWith('data:image/jpeg;base64,')));
  });

  it('evaluates on the same held-out split when the run used --val-split', async () => {
    const configFile = path.join(runDir, CONFIG_JSON);
    const original = await readFile(configFile, 'utf8');
    try {
      const config = JSON.parse(original);
      await writeFile(configFile, JSON.stringify({ ...config, test: [], validationSplit: 0.25 }));
      const report = await writeRunReport(runDir, { cacheDir: path.join(root, 'cache'), png: false });
      assert.equal(report.evaluation?.source, 'validation split');
      assert.equal(report.evaluation?.images, 12, 'a quarter of 48 training pictures');
      assert.ok(report.evaluation?.samples.every((s) => !s.path.startsWith(testDir)));
    } finally {
      await writeFile(configFile, original);
    }
  });

  it('keeps the curves and says why when the pictures are gone', async () => {
    const copy = path.join(root, 'moved');
    const configFile = path.join(runDir, CONFIG_JSON);
    const original = await readFile(configFile, 'utf8');
    try {
      await writeFile(configFile, JSON.stringify({ ...JSON.parse(original), test: [copy] }));
      const report = await writeRunReport(runDir, { png: false });
      assert.equal(report.evaluation, null);
      assert.match(report.evaluationNote ?? '', /^No evaluation: .*moved/);
      assert.deepEqual(report.plots.map((p) => path.basename(p)), ['loss.svg', 'accuracy.svg', 'learning-rate.svg']);
      assert.match(await readFile(report.html, 'utf8'), /No evaluation: /);
    } finally {
      await writeFile(configFile, original);
    }
  });

  it('imgclass report prints what it wrote and converts the metrics for TensorBoard', async () => {
    const output = captureOutput();
    const code = await reportCommand.run({ positionals: [runDir], values: { tensorboard: true, 'cache-dir': path.join(root, 'cache') }, out: output });
    assert.equal(code, 0);
    assert.match(output.lines[0], /^Accuracy \d+\.\d% on 16 pictures from the test folders\.$/);
    assert.ok(output.lines.some((l) => l === `Report: ${path.join(runDir, 'report.html')}`));
    assert.ok(output.lines.some((l) => l === `TensorBoard: ${path.join(runDir, 'tensorboard')}`));
    assert.ok((await stat(path.join(runDir, 'tensorboard', 'validation'))).isDirectory());
  });

  it('refuses a folder that is not a run', async () => {
    await assert.rejects(writeRunReport(root), { name: 'ImgclassError', code: 'NOT_A_RUN' });
  });

  it('draws a run stopped before its first checkpoint: curves only', async () => {
    const modelDir = path.join(runDir, MODEL_DIR);
    const stripped = path.join(root, 'stripped');
    await rm(stripped, { recursive: true, force: true });
    await cp(runDir, stripped, { recursive: true, filter: (src) => !src.startsWith(modelDir) && !src.includes('checkpoints') });
    const report = await writeRunReport(stripped, { png: false });
    assert.equal(report.evaluation, null);
    assert.match(report.evaluationNote ?? '', /neither a final model nor a checkpoint/);
  });
});
