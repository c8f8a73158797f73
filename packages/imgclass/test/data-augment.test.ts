import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Augmentation,
  brightnessContrastJitter,
  buildAugmentations,
  composeAugmentations,
  createRng,
  DEFAULT_AUGMENTATION,
  horizontalFlip,
  padAndRandomCrop,
  PixelImage,
  randomRotation,
  randomScaleCrop,
} from '../src/data';
import { pixelAt, rawImage } from './data-helpers';

/** 6x4 image whose pixels encode their coordinates. */
function coordsImage(width = 6, height = 4): PixelImage {
  return { data: new Uint8Array(rawImage(width, height, (x, y) => [x * 10, y * 10, 100])), width, height };
}

const always = () => 0; // rng that always draws 0: flip fires, shifts are at their minimum

describe('horizontal flip', () => {
  test('mirrors columns when it fires and is a no-op otherwise', () => {
    const img = coordsImage();
    const flipped = horizontalFlip().apply(img, always);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) assert.deepEqual(pixelAt(flipped.data, 6, x, y), [(5 - x) * 10, y * 10, 100]);
    assert.equal(horizontalFlip().apply(img, () => 0.99), img);
  });

  test('is deterministic under a seed and fires about half the time', () => {
    const flip = horizontalFlip();
    const run = (seed: number) => Array.from({ length: 200 }, (_, i) => flip.apply(coordsImage(), createRng(seed * 1000 + i)).data[0]);
    assert.deepEqual(run(1), run(1));
    assert.notDeepEqual(run(1), run(2));
    const fired = run(1).filter((v) => v === 50).length;
    assert.ok(fired > 70 && fired < 130, `fired ${fired}/200`);
  });
});

describe('random crop after padding', () => {
  test('shifts content by the drawn offset and fills with zeros', () => {
    // rng 0 -> dx = dy = -padding: output (x, y) = input (x - 2, y - 2)
    const out = padAndRandomCrop(2).apply(coordsImage(), always);
    assert.deepEqual(pixelAt(out.data, 6, 0, 0), [0, 0, 0]);
    assert.deepEqual(pixelAt(out.data, 6, 1, 3), [0, 0, 0]);
    assert.deepEqual(pixelAt(out.data, 6, 2, 2), [0, 0, 100]);
    assert.deepEqual(pixelAt(out.data, 6, 5, 3), [30, 10, 100]);
  });

  test('the same seed gives the same crop; the size is kept', () => {
    const a = padAndRandomCrop(3).apply(coordsImage(), createRng(7));
    const b = padAndRandomCrop(3).apply(coordsImage(), createRng(7));
    assert.deepEqual(a, b);
    assert.equal(a.data.length, 6 * 4 * 3);
  });
});

describe('scale-crop, rotation, colour jitter', () => {
  test('scale-crop with scale 1 and rotation by 0 degrees are identities', () => {
    const img = coordsImage();
    assert.deepEqual(randomScaleCrop(1).apply(img, createRng(3)).data, img.data);
    assert.deepEqual(randomRotation(0).apply(img, createRng(3)).data, img.data);
  });

  test('rotation turns a horizontal line towards the diagonal', () => {
    const size = 21;
    const line: PixelImage = { data: new Uint8Array(rawImage(size, size, (_, y) => (y === 10 ? [255, 255, 255] : [0, 0, 0]))), width: size, height: size };
    // rng 1 -> angle = +maxDegrees
    const rotated = randomRotation(45).apply(line, () => 1);
    assert.equal(pixelAt(rotated.data, size, 10, 10)[0], 255); // centre stays
    assert.equal(pixelAt(rotated.data, size, 17, 10)[0], 0); // the old line moved away...
    // ...onto the diagonal through (5,5) and (15,15); the other diagonal stays dark.
    assert.ok(pixelAt(rotated.data, size, 5, 5)[0] > 200 && pixelAt(rotated.data, size, 15, 15)[0] > 200);
    assert.equal(pixelAt(rotated.data, size, 15, 5)[0], 0);
  });

  test('scale-crop zooms in: a centred dot grows', () => {
    const size = 20;
    const dot: PixelImage = { data: new Uint8Array(rawImage(size, size, (x, y) => (Math.abs(x - 9.5) < 2 && Math.abs(y - 9.5) < 2 ? [255, 0, 0] : [0, 0, 0]))), width: size, height: size };
    const bright = (img: PixelImage) => { let n = 0; for (let i = 0; i < img.data.length; i += 3) if (img.data[i] > 128) n++; return n; };
    // rng 0 -> smallest window (0.5 of each side) at the top-left; rng 0.5 -> centred window
    const zoomed = randomScaleCrop(0.5).apply(dot, (() => { const draws = [0, 0.5, 0.5]; let i = 0; return () => draws[i++]; })());
    assert.ok(bright(zoomed) > 2 * bright(dot), `${bright(zoomed)} vs ${bright(dot)}`);
  });

  test('scale-crop is bilinear sampling of the drawn window at output pixel centres, clamped at the edges', () => {
    // Per-pixel reference, written from the definition (the implementation precomputes per row and column).
    const reference = (img: PixelImage, draws: number[], minScale: number): Uint8Array => {
      const [u, v, w] = draws;
      const s = minScale + (1 - minScale) * u;
      const x0 = (img.width - img.width * s) * v;
      const y0 = (img.height - img.height * s) * w;
      const out = new Uint8Array(img.data.length);
      const at = (x: number, y: number, c: number) => img.data[(y * img.width + x) * 3 + c];
      for (let y = 0; y < img.height; y++) {
        for (let x = 0; x < img.width; x++) {
          const fx = Math.min(img.width - 1, Math.max(0, x0 + (x + 0.5) * s - 0.5));
          const fy = Math.min(img.height - 1, Math.max(0, y0 + (y + 0.5) * s - 0.5));
          const [ix, iy] = [Math.floor(fx), Math.floor(fy)];
          const [jx, jy] = [Math.min(img.width - 1, ix + 1), Math.min(img.height - 1, iy + 1)];
          const [ax, ay] = [fx - ix, fy - iy];
          for (let c = 0; c < 3; c++) {
            const top = at(ix, iy, c) * (1 - ax) + at(jx, iy, c) * ax;
            const bottom = at(ix, jy, c) * (1 - ax) + at(jx, jy, c) * ax;
            out[(y * img.width + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(top * (1 - ay) + bottom * ay)));
          }
        }
      }
      return out;
    };
    const rng = createRng(5);
    const img: PixelImage = { data: Uint8Array.from({ length: 37 * 23 * 3 }, () => Math.floor(rng() * 256)), width: 37, height: 23 };
    for (const draws of [[0, 0, 0], [1, 1, 1], [0.3, 0.7, 0.2], [0.9, 0.1, 0.99]]) {
      const replay = (() => { let i = 0; return () => draws[i++]; })();
      assert.deepEqual(randomScaleCrop(0.6).apply(img, replay).data, reference(img, draws, 0.6), `draws ${draws}`);
    }
  });

  test('brightness and contrast change pixel values within 0..255, deterministically', () => {
    const img = coordsImage();
    const jitter = brightnessContrastJitter(0.5, 0.5);
    const a = jitter.apply(img, createRng(11));
    assert.deepEqual(a, jitter.apply(img, createRng(11)));
    assert.notDeepEqual(a.data, img.data);
    // rng 1 -> brightness +0.5*255: everything at least 127
    assert.ok(brightnessContrastJitter(0.5, 0).apply(img, () => 1).data.every((v) => v >= 127));
  });
});

describe('composition and defaults', () => {
  test('defaults are flip only; the JSON form builds named transforms in a fixed order', () => {
    assert.deepEqual(DEFAULT_AUGMENTATION, { flip: true });
    assert.deepEqual(buildAugmentations().map((a) => a.name), ['horizontal-flip']);
    const names = buildAugmentations({ flip: true, padCrop: 4, scaleCrop: 0.8, rotation: 10, brightness: 0.1 }).map((a) => a.name);
    assert.deepEqual(names, ['horizontal-flip', 'pad-crop(4)', 'scale-crop(0.8)', 'rotation(10)', 'brightness-contrast(0.1,0)']);
    assert.deepEqual(buildAugmentations({ flip: false }), []);
  });

  test('compose applies transforms in order from one generator and names the chain', () => {
    const calls: string[] = [];
    const tag = (name: string): Augmentation => ({ name, apply: (img, rng) => (calls.push(`${name}:${rng().toFixed(3)}`), img) });
    const chain = composeAugmentations([tag('a'), tag('b')]);
    assert.equal(chain.name, 'a+b');
    chain.apply(coordsImage(), createRng(5));
    const rng = createRng(5);
    assert.deepEqual(calls, [`a:${rng().toFixed(3)}`, `b:${rng().toFixed(3)}`]);
  });
});
