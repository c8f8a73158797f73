import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { resolvePreprocessing, ResizeMode } from '../src/data/config';
import { decodeImage } from '../src/data/decode';
import { normalizeImage } from '../src/data/normalize';
import { classifierOutputs, maxAbsDifference } from '../src/export/classifier-outputs';
import { exportWeb } from '../src/export/web-export';
import { WEB_PREPROCESS_JS } from '../src/export/web-preprocess-script';
import type { Classifier } from '../src/trained-network/load-classifier';
import { CATS_DOGS, HAVE_PICTURES, NO_PICTURES_REASON, pictures, preprocessedBatch, seededClassifier, tempDir, trainedLenet5 } from './export-fixtures';
import { serveFolder } from './export-web-server';

const CHROMIUM = '/usr/bin/chromium';
const TOLERANCE = 1e-4;

/** preprocess.js as the page runs it, evaluated in a fresh context (its CommonJS branch). */
function pagePreprocess() {
  const sandbox = { module: { exports: {} as Record<string, (...args: unknown[]) => unknown> } };
  vm.runInNewContext(WEB_PREPROCESS_JS, sandbox);
  return sandbox.module.exports;
}

describe("web demo's preprocess.js (in Node)", { skip: HAVE_PICTURES ? false : NO_PICTURES_REASON }, () => {
  test('normalizes the same pixels exactly as imgclass for standardize, unit and mean-std', async () => {
    const { normalize } = pagePreprocess();
    const normalizations = [
      { kind: 'standardize' },
      { kind: 'unit' },
      { kind: 'mean-std', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    ] as const;
    for (const file of pictures('test', 4)) {
      const { data } = await decodeImage(file, { size: 40 });
      for (const n of normalizations) {
        const page = normalize(data, n) as Float32Array;
        assert.equal(maxAbsDifference(page, normalizeImage(data, resolvePreprocessing({ normalization: n }).normalization)), 0, `${n.kind} on ${file}`);
      }
    }
    // A uniform picture takes the 1/sqrt(N) guard of per_image_standardization.
    const flat = new Uint8Array(300).fill(77);
    assert.equal(maxAbsDifference(normalize(flat, { kind: 'standardize' }) as Float32Array, normalizeImage(flat, { kind: 'standardize' })), 0);
  });
});

const canRunChromium = existsSync(CHROMIUM) && HAVE_PICTURES;

describe('web demo in headless Chromium (playwright-core, stock tfjs copied into the folder)', { skip: canRunChromium ? false : `needs ${CHROMIUM} and the pictures` }, () => {
  let c: Classifier;
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  let webDir: string;

  before(async () => {
    c = await trainedLenet5();
    webDir = path.join(tempDir(), 'web');
    await exportWeb(c, { out: webDir });
    server = await serveFolder(webDir, CATS_DOGS);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    c?.model.dispose();
  });

  async function openPage(query = ''): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${server.url}${query}`);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading');
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', await page.textContent('#status') ?? '');
    return page;
  }

  test('a picture chosen on the page gets a label, close to what imgclass predicts for it', async () => {
    const page = await openPage();
    const files = pictures('test', 10);
    const reference = await preprocessedBatch(files, c);
    const input = tf.tensor4d(reference.data, reference.shape);
    const expected = await classifierOutputs(c.model, input);
    input.dispose();
    const n = 32 * 32 * 3;
    let agree = 0;
    for (const [i, file] of files.entries()) {
      await page.setInputFiles('#file', file);
      await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''));
      const status = (await page.textContent('#status')) ?? '';
      const result = await page.evaluate(() => {
        const r = (window as unknown as { imgclassDemo: { lastResult: { input: Float32Array; probabilities: number[] } } }).imgclassDemo.lastResult;
        return { input: Array.from(r.input), probabilities: r.probabilities };
      });
      assert.match(status, /^(cat|dog) \d+\.\d%$/);
      // The browser resamples with its own filter, not libvips' lanczos3: inputs agree closely, not exactly.
      const meanInputDiff = result.input.reduce((s, v, k) => s + Math.abs(v - reference.data[i * n + k]), 0) / n;
      assert.ok(meanInputDiff < 0.3, `${file}: mean input difference ${meanInputDiff}`);
      const ours = expected.probabilities.slice(i * 2, i * 2 + 2);
      if ((ours[0] > ours[1]) === (result.probabilities[0] > result.probabilities[1])) agree++;
      assert.ok(Math.abs(ours[0] - result.probabilities[0]) < 0.15, `${file}: p(cat) ${result.probabilities[0]} in the page, ${ours[0]} in imgclass`);
    }
    console.log(`page vs imgclass on 10 pictures through the file input: ${agree}/10 same label`);
    assert.ok(agree >= 8);
    await page.close();
  });

  for (const backend of ['cpu', 'webgl']) {
    test(`the exported model in Chromium (${backend} backend) gives imgclass's logits on 100 preprocessed pictures`, async (t) => {
      const page = await openPage(`?backend=${backend}`);
      const active = await page.evaluate(() => (window as unknown as { imgclassDemo: { backend: string } }).imgclassDemo.backend);
      if (active !== backend) {
        t.skip(`Chromium here has no ${backend} backend (got ${active})`);
        return;
      }
      const batch = await preprocessedBatch(pictures('test', 100), c);
      const input = tf.tensor4d(batch.data, batch.shape);
      const expected = await classifierOutputs(c.model, input);
      input.dispose();
      const size = 32 * 32 * 3;
      const got = await page.evaluate(
        ({ data, size, count }) => {
          const demo = (window as unknown as { imgclassDemo: { predictInput(x: number[]): { logits: number[]; probabilities: number[] } } }).imgclassDemo;
          const logits: number[] = [];
          const probabilities: number[] = [];
          for (let i = 0; i < count; i++) {
            const r = demo.predictInput(data.slice(i * size, (i + 1) * size));
            logits.push(...r.logits);
            probabilities.push(...r.probabilities);
          }
          return { logits, probabilities };
        },
        { data: Array.from(batch.data), size, count: 100 },
      );
      const logitDiff = maxAbsDifference(expected.logits as Float32Array, got.logits);
      const probabilityDiff = maxAbsDifference(expected.probabilities, got.probabilities);
      console.log(`Chromium ${backend}: max |Δ logit| ${logitDiff.toExponential(2)}, max |Δ p| ${probabilityDiff.toExponential(2)}`);
      assert.ok(logitDiff < TOLERANCE, `logits differ by ${logitDiff}`);
      assert.ok(probabilityDiff < TOLERANCE, `probabilities differ by ${probabilityDiff}`);
      await page.close();
    });
  }

  test('resize modes: the page places pictures as imgclass does (crop-or-pad exactly, scaling within a few grey levels)', async () => {
    const page = await openPage('?backend=cpu');
    // Scaled modes differ by the resampling filter (detailed fur reaches ~7 levels at 8x downscaling);
    // contain can also differ by one row or column in how libvips rounds the scaled size.
    const limits: Record<ResizeMode, number> = { 'crop-or-pad': 0, stretch: 8, cover: 8, contain: 12 };
    const worst: string[] = [];
    for (const mode of Object.keys(limits) as ResizeMode[]) {
      let modeWorst = 0;
      for (const file of pictures('test', 4)) {
        const ours = await decodeImage(file, { size: [48, 40], resizeMode: mode });
        const rgb = await page.evaluate(
          async ({ url, mode }) => {
            const bitmap = await createImageBitmap(await (await fetch(url)).blob());
            const api = (window as unknown as { imgclassPreprocess: { resizeToRgb(...a: unknown[]): Uint8Array } }).imgclassPreprocess;
            return Array.from(api.resizeToRgb(bitmap, bitmap.width, bitmap.height, { width: 48, height: 40, resizeMode: mode }));
          },
          { url: `/__pictures/${path.relative(CATS_DOGS, file)}`, mode },
        );
        const meanDiff = rgb.reduce((s, v, k) => s + Math.abs(v - ours.data[k]), 0) / rgb.length;
        assert.ok(meanDiff <= limits[mode], `${mode} ${file}: mean difference ${meanDiff.toFixed(2)} grey levels`);
        modeWorst = Math.max(modeWorst, meanDiff);
      }
      worst.push(`${mode} ${modeWorst.toFixed(2)}`);
    }
    console.log(`page vs imgclass resized pixels, worst mean difference per mode (grey levels): ${worst.join(', ')}`);
    await page.close();
  });

  test('a model with LRN (AlexNet) loads in the page through the shipped imgclass-layers.js', async () => {
    const alex = seededClassifier('alexnet', 67);
    const dir = path.join(tempDir(), 'alexnet-web');
    await exportWeb(alex, { out: dir });
    assert.match(readFileSync(path.join(dir, 'index.html'), 'utf8'), /<script src="model\/imgclass-layers\.js"><\/script>/);
    const alexServer = await serveFolder(dir, CATS_DOGS);
    const page = await browser.newPage();
    await page.goto(`${alexServer.url}?backend=cpu`);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading');
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', (await page.textContent('#status')) ?? '');
    const batch = await preprocessedBatch(pictures('test', 2), alex);
    const input = tf.tensor4d(batch.data, batch.shape);
    const expected = await classifierOutputs(alex.model, input);
    input.dispose();
    const size = 67 * 67 * 3;
    const logits = await page.evaluate(({ data, size }) => {
      const demo = (window as unknown as { imgclassDemo: { predictInput(x: number[]): { logits: number[] } } }).imgclassDemo;
      return [...demo.predictInput(data.slice(0, size)).logits, ...demo.predictInput(data.slice(size)).logits];
    }, { data: Array.from(batch.data), size });
    assert.ok(maxAbsDifference(expected.logits as Float32Array, logits) < TOLERANCE);
    await page.close();
    await alexServer.close();
    alex.model.dispose();
  });

  test('opened from disk (file://) the page says how to serve it instead of failing silently', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(path.join(webDir, 'index.html')).href);
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    assert.match((await page.textContent('#status')) ?? '', /Serve this folder over HTTP/);
    await page.close();
  });
});
