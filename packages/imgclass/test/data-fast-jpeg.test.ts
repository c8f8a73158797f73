// The native JPEG fast path (native/jpeg_decode.cc): what it decodes, what it leaves to sharp, and
// that the first pass (batches of files) and prediction (one buffer) produce the same pixels.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeImage, loadImageFolder, resolvePreprocessing } from '../src/data';
import { decodeJpegs } from '../src/data/native-jpeg';
import { pixelSums } from '../src/data/normalize';
import { fromRaw, rawImage, tempDir, writeBytes } from './data-helpers';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

const config = resolvePreprocessing({ size: 40 });
// Smooth gradients and waves: JPEG keeps them well, and a resize of them should give the
// picture's values at the output pixels' centres.
const smooth = (w: number, h: number, x: number, y: number): [number, number, number] =>
  [(255 * x) / w, (255 * y) / h, 128 + 60 * Math.sin((x + y) / 9)];
const gradient = (w: number, h: number) =>
  fromRaw(rawImage(w, h, (x, y) => smooth(w, h, x, y).map(Math.round) as [number, number, number]), w, h);

test('plain JPEGs are decoded natively (shrink-on-load, bilinear), true to the picture, with exact sums', async () => {
  for (const [w, h, progressive] of [[333, 250, false], [160, 400, true], [41, 39, false], [20, 30, false]] as const) {
    const jpeg = await gradient(w, h).jpeg({ quality: 95, progressive }).toBuffer();
    const [fast] = await decodeJpegs([jpeg], config, 1e8);
    assert.ok(fast, `${w}x${h} should take the fast path`);
    assert.equal(fast.data.length, 40 * 40 * 3);
    assert.deepEqual([fast.sourceWidth, fast.sourceHeight], [w, h]);
    assert.deepEqual({ sum: fast.sum, sumSq: fast.sumSq }, pixelSums(fast.data));
    let diff = 0;
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 40; x++) {
        const expected = smooth(w, h, ((x + 0.5) * w) / 40 - 0.5, ((y + 0.5) * h) / 40 - 0.5);
        for (let c = 0; c < 3; c++) diff += Math.abs(expected[c] - fast.data[(y * 40 + x) * 3 + c]);
      }
    }
    assert.ok(diff / fast.data.length < 2.5, `${w}x${h}: mean difference from the picture ${(diff / fast.data.length).toFixed(2)}`);
  }
});

test('greyscale JPEGs come out as three equal channels', async () => {
  const jpeg = await fromRaw(Buffer.alloc(64 * 64, 77), 64, 64, 1).toColourspace('b-w').jpeg().toBuffer();
  const [fast] = await decodeJpegs([jpeg], config, 1e8);
  assert.ok(fast);
  assert.ok(fast.data.every((v) => Math.abs(v - 77) <= 1));
});

test('everything unusual is left to sharp', async () => {
  const plain = await gradient(64, 48).jpeg().toBuffer();
  const cases: Record<string, Uint8Array> = {
    png: await gradient(64, 48).png().toBuffer(),
    cmyk: await gradient(64, 48).toColourspace('cmyk').jpeg().toBuffer(),
    rotated: await gradient(64, 48).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    icc: await gradient(64, 48).withIccProfile('p3').jpeg().toBuffer(),
    truncated: plain.subarray(0, plain.length >> 1),
    empty: new Uint8Array(0),
    text: new TextEncoder().encode('not a picture'),
  };
  const results = await decodeJpegs(Object.values(cases), config, 1e8);
  Object.keys(cases).forEach((name, i) => assert.equal(results[i], undefined, name));
  // A declared size above the pixel limit (a bomb) is sharp's to report, too.
  assert.equal((await decodeJpegs([plain], config, 64 * 48 - 1))[0], undefined);
  // Files: unreadable or missing ones come back undecoded, the others decoded.
  const good = path.join(dir, 'good.jpg');
  await writeBytes(good, plain);
  const fromFiles = await decodeJpegs([good, path.join(dir, 'missing.jpg'), dir], config, 1e8);
  assert.deepEqual(fromFiles.map((r) => r !== undefined), [true, false, false]);
});

test('the first pass caches exactly the pixels decodeImage gives prediction', async () => {
  const root = path.join(dir, 'set');
  for (const [name, w, h] of [['cat/a.jpg', 300, 200], ['cat/b.jpg', 90, 120], ['dog/c.jpg', 500, 375], ['dog/d.jpg', 64, 64]] as const) {
    await writeBytes(path.join(root, name), await gradient(w, h).jpeg({ quality: 90 }).toBuffer());
  }
  const data = await loadImageFolder({ roots: root, cacheDir: path.join(dir, 'cache'), preprocessing: { size: 40 }, onWarning: () => undefined });
  try {
    for await (const batch of data.train.batches({ batchSize: 4, shuffle: false, prefetch: 0 })) {
      const standardized = batch.xs.dataSync();
      for (let i = 0; i < batch.paths.length; i++) {
        const single = await decodeImage(await readFile(batch.paths[i]), { size: 40 });
        const expected = (await import('../src/data')).normalizeImage(single.data, { kind: 'standardize' });
        assert.deepEqual(standardized.subarray(i * 4800, (i + 1) * 4800), expected, batch.paths[i]);
      }
      batch.xs.dispose();
      batch.ys.dispose();
    }
  } finally {
    await data.close();
  }
});
