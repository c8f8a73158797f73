import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { cropOrPad, decodeImage, ImageDecodeError, resolvePreprocessing } from '../src/data';
import { fromRaw, near, pixelAt, rawImage, Rgb, tempDir, writePng } from './data-helpers';

const RED: Rgb = [255, 0, 0];
const BLUE: Rgb = [0, 0, 255];
const GREEN: Rgb = [0, 255, 0];
const BLACK: Rgb = [0, 0, 0];

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

describe('resize modes against hand-computed pixels', () => {
  test('crop-or-pad crops centrally with TF offsets, no scaling', async () => {
    // Each pixel encodes its own coordinates, so every output pixel is checkable.
    const file = path.join(dir, 'coords.png');
    await writePng(file, 6, 4, (x, y) => [x * 10, y * 10, 7]);
    const img = await decodeImage(file, { size: [4, 4], resizeMode: 'crop-or-pad' });
    // crop offset x = (6 - 4) // 2 = 1, no vertical crop
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) assert.deepEqual(pixelAt(img.data, 4, x, y), [(x + 1) * 10, y * 10, 7]);
    }
    assert.equal(img.sourceWidth, 6);
    assert.equal(img.sourceHeight, 4);
  });

  test('crop-or-pad zero-pads centrally and can crop one axis while padding the other', async () => {
    const file = path.join(dir, 'coords.png');
    await writePng(file, 6, 4, (x, y) => [x * 10, y * 10, 7]);
    const padded = await decodeImage(file, { size: [8, 7], resizeMode: 'crop-or-pad' });
    // pad offsets: x (8 - 6) // 2 = 1, y (7 - 4) // 2 = 1
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 8; x++) {
        const inside = x >= 1 && x < 7 && y >= 1 && y < 5;
        assert.deepEqual(pixelAt(padded.data, 8, x, y), inside ? [(x - 1) * 10, (y - 1) * 10, 7] : BLACK, `(${x},${y})`);
      }
    }
    const mixed = await decodeImage(file, { size: [2, 6], resizeMode: 'crop-or-pad' });
    // crop x offset (6 - 2) // 2 = 2; pad y offset (6 - 4) // 2 = 1
    assert.deepEqual(pixelAt(mixed.data, 2, 0, 0), BLACK);
    assert.deepEqual(pixelAt(mixed.data, 2, 0, 1), [20, 0, 7]);
    assert.deepEqual(pixelAt(mixed.data, 2, 1, 4), [30, 30, 7]);
    assert.deepEqual(pixelAt(mixed.data, 2, 1, 5), BLACK);
  });

  test('cropOrPad matches TF offsets for odd differences', () => {
    const src = new Uint8Array(rawImage(5, 1, (x) => [x, 0, 0]));
    // TF: offset = (5 - 2) // 2 = 1
    assert.deepEqual([...cropOrPad(src, 5, 1, 2, 1)], [1, 0, 0, 2, 0, 0]);
  });

  test('stretch scales each axis independently (aspect ratio not kept)', async () => {
    // Horizontal bands: squeezing 20 -> 5 wide must leave every row's colour intact.
    const file = path.join(dir, 'bands.png');
    await writePng(file, 20, 4, (_, y) => (y < 2 ? RED : BLUE));
    const img = await decodeImage(file, { size: [5, 4], resizeMode: 'stretch' });
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 5; x++) assert.ok(near(pixelAt(img.data, 5, x, y), y < 2 ? RED : BLUE, 1), `(${x},${y})`);
    }
  });

  test('cover scales to fill then centre-crops', async () => {
    // 40x20 -> scale 0.5 -> 20x10 -> centre 10 columns = source columns 10..30 (the red stripe).
    const file = path.join(dir, 'stripes.png');
    await writePng(file, 40, 20, (x) => (x < 10 ? GREEN : x < 30 ? RED : BLUE));
    const img = await decodeImage(file, { size: 10, resizeMode: 'cover' });
    for (let y = 0; y < 10; y++) {
      for (let x = 2; x < 8; x++) assert.ok(near(pixelAt(img.data, 10, x, y), RED, 2), `(${x},${y})`);
      for (const x of [0, 9]) {
        const [r, g, b] = pixelAt(img.data, 10, x, y);
        assert.ok(r > 200 && g < 60 && b < 60, `edge (${x},${y}) should be red, got ${[r, g, b]}`);
      }
    }
  });

  test('contain scales to fit then zero-pads', async () => {
    // 20x10 -> 10x5 content centred in 10x10: rows 0-1 and 8-9 (at least) are padding.
    const file = path.join(dir, 'wide.png');
    await writePng(file, 20, 10, () => RED);
    const img = await decodeImage(file, { size: 10, resizeMode: 'contain' });
    let redRows = 0;
    for (let y = 0; y < 10; y++) {
      const row = Array.from({ length: 10 }, (_, x) => pixelAt(img.data, 10, x, y));
      if (row.every((p) => near(p, RED, 1))) redRows++;
      else assert.ok(row.every((p) => near(p, BLACK, 0)), `row ${y} is neither content nor zero padding`);
    }
    assert.equal(redRows, 5);
    for (const y of [0, 1, 8, 9]) assert.deepEqual(pixelAt(img.data, 10, 5, y), BLACK);
  });

  test('the default is 150x150 stretch', async () => {
    const file = path.join(dir, 'default.png');
    await writePng(file, 30, 20, () => GREEN);
    const img = await decodeImage(file);
    assert.equal(img.width, 150);
    assert.equal(img.height, 150);
    assert.equal(img.data.length, 150 * 150 * 3);
    assert.deepEqual(resolvePreprocessing(), {
      version: 1, width: 150, height: 150, channels: 3, resizeMode: 'stretch', normalization: { kind: 'standardize' },
    });
  });
});

describe('every input becomes 8-bit sRGB with 3 channels', () => {
  const decodeAt = (input: Buffer, size = 4) => decodeImage(input, { size, resizeMode: 'crop-or-pad' });

  test('grayscale', async () => {
    const png = await fromRaw(Buffer.alloc(16, 90), 4, 4, 1).toColourspace('b-w').png().toBuffer();
    assert.equal((await sharp(png).metadata()).channels, 1);
    const img = await decodeAt(png);
    assert.equal(img.data.length, 4 * 4 * 3);
    assert.deepEqual(pixelAt(img.data, 4, 2, 2), [90, 90, 90]);
  });

  test('16-bit', async () => {
    const png = await fromRaw(rawImage(4, 4, () => [10, 200, 30]), 4, 4).toColourspace('rgb16').png().toBuffer();
    assert.equal((await sharp(png).metadata()).depth, 'ushort');
    assert.deepEqual(pixelAt((await decodeAt(png)).data, 4, 1, 1), [10, 200, 30]);
  });

  test('CMYK JPEG', async () => {
    const jpeg = await fromRaw(rawImage(16, 16, () => RED), 16, 16).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
    assert.equal((await sharp(jpeg).metadata()).space, 'cmyk');
    const [r, g, b] = pixelAt((await decodeAt(jpeg, 16)).data, 16, 8, 8);
    assert.ok(r > 200 && g < 50 && b < 60, `expected red, got ${[r, g, b]}`);
  });

  test('alpha is flattened onto white', async () => {
    const rgba = Buffer.from([255, 0, 0, 0, 255, 0, 0, 255, 255, 0, 0, 128, 0, 0, 255, 255]);
    const png = await fromRaw(rgba, 2, 2, 4).png().toBuffer();
    const img = await decodeAt(png, 2);
    assert.deepEqual(pixelAt(img.data, 2, 0, 0), [255, 255, 255]); // transparent
    assert.deepEqual(pixelAt(img.data, 2, 1, 0), RED); // opaque
    assert.ok(near(pixelAt(img.data, 2, 0, 1), [255, 127, 127], 2)); // half red over white
    assert.deepEqual(pixelAt(img.data, 2, 1, 1), BLUE);
  });

  test('grey + alpha', async () => {
    const png = await fromRaw(Buffer.from([50, 255, 50, 0]), 2, 1, 2).png().toBuffer();
    const img = await decodeAt(png, 2);
    assert.deepEqual(pixelAt(img.data, 2, 0, 0), [50, 50, 50]);
    assert.deepEqual(pixelAt(img.data, 2, 1, 0), [255, 255, 255]);
  });

  test('EXIF orientation is applied', async () => {
    // 16x8, left half red; orientation 6 = rotate 90 degrees clockwise, so red ends up on top.
    const jpeg = await fromRaw(rawImage(16, 8, (x) => (x < 8 ? RED : BLUE)), 16, 8)
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const img = await decodeImage(jpeg, { size: [8, 16], resizeMode: 'crop-or-pad' });
    assert.equal(img.sourceWidth, 8);
    assert.equal(img.sourceHeight, 16);
    assert.ok(near(pixelAt(img.data, 8, 4, 2), RED, 40));
    assert.ok(near(pixelAt(img.data, 8, 4, 13), BLUE, 40));
  });

  test('GIF decodes its first frame', async () => {
    const frames = [RED, BLUE].map((c) => fromRaw(rawImage(4, 4, () => c), 4, 4).png().toBuffer());
    const gif = await sharp(await Promise.all(frames), { join: { animated: true } }).gif().toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 2);
    const img = await decodeAt(gif);
    assert.ok(near(pixelAt(img.data, 4, 1, 1), RED, 8));
  });

  for (const format of ['webp', 'tiff', 'avif'] as const) {
    test(`${format}`, async () => {
      const encoded = await fromRaw(rawImage(16, 16, () => [40, 120, 200]), 16, 16).toFormat(format, { quality: 100 }).toBuffer();
      const img = await decodeAt(encoded, 16);
      assert.ok(near(pixelAt(img.data, 16, 8, 8), [40, 120, 200], 6), `${pixelAt(img.data, 16, 8, 8)}`);
      assert.equal(img.format, format === 'avif' ? 'heif' : format);
    });
  }
});

describe('unusable single images', () => {
  test('a text file with an image name names the file and the reason', async () => {
    const err = await decodeImage(path.join(__dirname, 'data-helpers.ts')).catch((e: unknown) => e);
    assert.ok(err instanceof ImageDecodeError);
    assert.match(err.message, /data-helpers\.ts/);
    assert.match(err.reason, /not an image/);
  });

  test('a missing file', async () => {
    const err = await decodeImage(path.join(dir, 'nope.jpg')).catch((e: unknown) => e);
    assert.ok(err instanceof ImageDecodeError);
    assert.match(err.reason, /no longer exists/);
  });

  test('more pixels than the limit', async () => {
    const png = await fromRaw(rawImage(100, 100, () => RED), 100, 100).png().toBuffer();
    const err = await decodeImage(png, {}, { maxInputPixels: 1000 }).catch((e: unknown) => e);
    assert.ok(err instanceof ImageDecodeError);
    assert.match(err.reason, /pixel limit/);
  });
});
