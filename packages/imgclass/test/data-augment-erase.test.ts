import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentationsFromSpecs, buildAugmentations, eraseBox, randomErasing } from '../src/data/augment';
import { normalizedStageSeed, prepareBatchPixels } from '../src/data/prepare-batch';
import { createRng, deriveSeed } from '../src/math/rng';
import { parseAugment } from '../src/cli/train-command';
import { resolveRunConfig } from '../src/trained-network/run-config';

/** A generator that returns these values in turn. */
const sequence = (...values: number[]) => () => values.shift() as number;

test("eraseBox follows torchvision's RandomErasing.get_params draw by draw", () => {
  // Fires (0.1 < 0.25); area share 0.02 + 0.31·0.5 = 0.175 of 100×100 = 1750; aspect e^(mean of ln 0.3, ln 3.3) = √0.99;
  // h = round(√(1750·√0.99)) = 42, w = round(√(1750/√0.99)) = 42; y = floor(0.5·(100 − 42 + 1)) = 29, x = floor(0.99·59) = 58.
  assert.deepEqual(eraseBox(100, 100, 0.25, sequence(0.1, 0.5, 0.5, 0.5, 0.99)), { x: 58, y: 29, width: 42, height: 42 });
  assert.equal(eraseBox(100, 100, 0.25, sequence(0.3)), null, 'does not fire when the first draw is not below the probability');
  // The largest area with the tallest aspect does not fit 100 pixels high (h = round(√(3300·3.3)) = 104): the next try does.
  assert.deepEqual(eraseBox(100, 100, 1, sequence(0, 1, 1, 0.5, 0.5, 0, 0)), { x: 0, y: 0, width: 42, height: 42 });
});

test('eraseBox over many seeded pictures: areas 2–33%, aspects 0.3–3.3, fires at the asked rate', () => {
  const [width, height] = [128, 96];
  let fired = 0;
  let shareSum = 0;
  for (let i = 0; i < 4000; i++) {
    const box = eraseBox(width, height, 0.25, createRng(deriveSeed(7, i)));
    if (!box) continue;
    fired++;
    const share = (box.width * box.height) / (width * height);
    shareSum += share;
    assert.ok(share > 0.019 && share < 0.34, `area share ${share}`);
    assert.ok(box.height / box.width > 0.28 && box.height / box.width < 3.5, `aspect ${box.height / box.width}`);
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height);
  }
  assert.ok(fired > 900 && fired < 1100, `fired ${fired} of 4000 at p = 0.25`);
  // Uniform area share in [0.02, 0.33] has mean 0.175; boxes too tall or wide for the picture are drawn again, which favours small ones a little.
  assert.ok(shareSum / fired > 0.15 && shareSum / fired < 0.18, `mean area share ${shareSum / fired}`);
});

test('batches with flip,erase=0.25: the same pictures as flip alone except inside each drawn box, which holds N(0, 1) noise', () => {
  const [width, height, count] = [32, 24, 64];
  const record = width * height * 3;
  const records = Uint8Array.from({ length: count * record }, (_, i) => (i * 7919) % 251);
  const sums = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    for (const v of records.subarray(i * record, (i + 1) * record)) {
      sums[2 * i] += v;
      sums[2 * i + 1] += v * v;
    }
  }
  const seeds = Uint32Array.from({ length: count }, (_, i) => deriveSeed(3, 0, i, 0xa5));
  const input = { records, count, width, height, normalization: { kind: 'standardize' } as const, sums, seeds };
  const plain = prepareBatchPixels({ ...input, augmentations: buildAugmentations({ flip: true }) });
  const erased = prepareBatchPixels({ ...input, augmentations: buildAugmentations({ flip: true, erase: 0.25 }) });
  assert.deepEqual(prepareBatchPixels({ ...input, augmentations: buildAugmentations({ flip: true, erase: 0.25 }) }), erased, 'seeded');
  let pictures = 0;
  const noise: number[] = [];
  for (let i = 0; i < count; i++) {
    const box = eraseBox(width, height, 0.25, createRng(normalizedStageSeed(seeds[i])));
    if (box) pictures++;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = box !== null && x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        for (let c = 0; c < 3; c++) {
          const k = i * record + (y * width + x) * 3 + c;
          if (inside) noise.push(erased[k]);
          else assert.equal(erased[k], plain[k], `picture ${i} (${x}, ${y}) outside the box`);
        }
      }
    }
  }
  assert.ok(pictures >= 8 && pictures <= 26, `${pictures} of ${count} pictures erased at p = 0.25`);
  const mean = noise.reduce((a, b) => a + b, 0) / noise.length;
  const variance = noise.reduce((a, b) => a + (b - mean) ** 2, 0) / noise.length;
  assert.ok(noise.length > 1000, `${noise.length} erased values`);
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(variance - 1) < 0.05, `noise mean ${mean}, variance ${variance}`);
});

test('random erasing travels to the batch worker as a spec, and on uint8 pictures fills its box with bytes', () => {
  const [rebuilt] = augmentationsFromSpecs(buildAugmentations({ flip: false, erase: 0.5 }).map((a) => a.spec!));
  assert.equal(rebuilt.name, 'erase(0.5)');
  const image = { data: new Uint8Array(20 * 10 * 3).fill(7), width: 20, height: 10 };
  const out = randomErasing(1).apply(image, createRng(1));
  const changed = out.data.filter((v) => v !== 7).length;
  assert.ok(changed > 0 && changed <= 0.33 * 20 * 10 * 3, `${changed} values changed`);
  assert.equal(image.data.every((v) => v === 7), true, 'the input is left alone');
});

test('--augment flip,erase=0.25 parses; a probability above 1 is refused', () => {
  assert.deepEqual(parseAugment('flip,erase=0.25'), { flip: true, erase: 0.25 });
  assert.deepEqual(parseAugment('erase=1'), { flip: false, erase: 1 });
  assert.throws(() => resolveRunConfig({ train: 'x', augment: { flip: true, erase: 1.5 } }), /erase=\) must be in \[0, 1\], got 1.5/);
});
