// The row-and-column transforms (flip, pad-crop, scale-crop) run as one pass, alone or chained
// with normalization; the bytes must be those of the per-transform code of commit 7117ed6
// (test/augment-reference.ts), seed for seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Augmentation,
  buildAugmentations,
  composeAugmentations,
  createRng,
  deriveSeed,
  horizontalFlip,
  normalizeInto,
  padAndRandomCrop,
  randomRotation,
  randomScaleCrop,
} from '../src/data';
import { canChainAxisMaps, chainAxisMaps, chainAxisMapsInto, resampleAxes } from '../src/data/augment';
import { pixelSums } from '../src/data/normalize';
import { prepareBatchPixels } from '../src/data/prepare-batch';
import { referenceFlip, referencePadCrop, referenceScaleCrop } from './augment-reference';

/** Noise, so that every misplaced or mis-blended byte shows. */
function noise(width: number, height: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: width * height * 3 }, () => Math.floor(rng() * 256));
}

const chains: [string, () => Augmentation[], () => Augmentation[]][] = [
  ['flip', () => [horizontalFlip()], () => [referenceFlip()]],
  ['pad-crop=8', () => [padAndRandomCrop(8)], () => [referencePadCrop(8)]],
  ['scale-crop=0.9', () => [randomScaleCrop(0.9)], () => [referenceScaleCrop(0.9)]],
  ['row 2: flip,pad-crop=8,scale-crop=0.9', () => buildAugmentations({ flip: true, padCrop: 8, scaleCrop: 0.9 }),
    () => [referenceFlip(), referencePadCrop(8), referenceScaleCrop(0.9)]],
  ['flip,pad-crop=20,scale-crop=0.3 (crops reaching the padding)', () => buildAugmentations({ flip: true, padCrop: 20, scaleCrop: 0.3 }),
    () => [referenceFlip(), referencePadCrop(20), referenceScaleCrop(0.3)]],
  ['scale-crop then pad-crop then flip', () => [randomScaleCrop(0.5), padAndRandomCrop(5), horizontalFlip()],
    () => [referenceScaleCrop(0.5), referencePadCrop(5), referenceFlip()]],
];

test('each chain gives the reference bytes on 600 seeded pictures of several sizes', () => {
  for (const [name, build, reference] of chains) {
    const fused = build();
    const ref = composeAugmentations(reference());
    const oneByOne = composeAugmentations(fused);
    assert.ok(canChainAxisMaps(fused), name);
    for (const [width, height] of [[150, 150], [37, 23], [8, 40]]) {
      const out = new Uint8Array(width * height * 3);
      for (let sample = 0; sample < 200; sample++) {
        const src = noise(width, height, sample);
        const seed = deriveSeed(1, 2, sample, 0xa5);
        const expected = ref.apply({ data: src, width, height }, createRng(seed)).data;
        const maps = chainAxisMaps(fused, width, height, createRng(seed));
        assert.ok(maps);
        const sums = resampleAxes(src, width, maps, out);
        assert.deepEqual(out, expected, `${name}, ${width}x${height}, sample ${sample}`);
        assert.deepEqual(sums, pixelSums(expected));
        // Each transform on its own (apply) is the same code path, so it matches too.
        assert.deepEqual(oneByOne.apply({ data: src, width, height }, createRng(seed)).data, expected);
      }
    }
  }
});

test('maps written straight into batch arrays equal the composed maps, picture by picture', () => {
  for (const [name, build] of chains) {
    const chain = build();
    for (const [width, height] of [[150, 150], [37, 23]]) {
      const count = 30;
      const batch = (size: number) => ({ first: new Int32Array(count * size), second: new Int32Array(count * size), weight: new Float64Array(count * size) });
      const columns = batch(width);
      const rows = batch(height);
      for (let i = 0; i < count; i++) {
        const seed = deriveSeed(3, 1, i, 0xa5);
        chainAxisMapsInto(chain, width, height, createRng(seed), columns, rows, i);
        const maps = chainAxisMaps(chain, width, height, createRng(seed))!;
        for (const [axis, size, target] of [['columns', width, columns], ['rows', height, rows]] as const) {
          const at = (a: Int32Array | Float64Array) => a.subarray(i * size, (i + 1) * size);
          assert.deepEqual([at(target.first), at(target.second), at(target.weight)], [maps[axis].first, maps[axis].second, maps[axis].weight], `${name}, ${width}x${height}, picture ${i}, ${axis}`);
        }
      }
    }
  }
});

test('standardized batches from the fused pass equal augment-then-normalize', () => {
  const width = 150;
  const height = 150;
  const chain = buildAugmentations({ flip: true, padCrop: 8, scaleCrop: 0.9 });
  const ref = composeAugmentations([referenceFlip(), referencePadCrop(8), referenceScaleCrop(0.9)]);
  const expected = new Float32Array(width * height * 3);
  const actual = new Float32Array(width * height * 3);
  const scratch = new Uint8Array(width * height * 3);
  for (let sample = 0; sample < 20; sample++) {
    const src = noise(width, height, 1000 + sample);
    const seed = deriveSeed(42, 3, sample, 0xa5);
    normalizeInto(ref.apply({ data: src, width, height }, createRng(seed)).data, expected, 0, { kind: 'standardize' });
    const sums = resampleAxes(src, width, chainAxisMaps(chain, width, height, createRng(seed))!, scratch);
    normalizeInto(scratch, actual, 0, { kind: 'standardize' }, sums);
    assert.deepEqual(actual, expected);
  }
});

test('batches: the native pass gives the bytes of the reference, then of normalizeInto, for every normalization', () => {
  const [width, height, count] = [150, 150, 24];
  const record = width * height * 3;
  const records = noise(width, height * count, 77);
  const sums = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) Object.values(pixelSums(records.subarray(i * record, (i + 1) * record))).forEach((v, k) => (sums[2 * i + k] = v));
  const seeds = Uint32Array.from({ length: count }, (_, i) => deriveSeed(9, 1, i, 0xa5));
  const cases: [string, Augmentation[], Augmentation[]][] = [
    ['row 2', buildAugmentations({ flip: true, padCrop: 8, scaleCrop: 0.9 }), [referenceFlip(), referencePadCrop(8), referenceScaleCrop(0.9)]],
    ['flip, pad-crop', buildAugmentations({ flip: true, padCrop: 12 }), [referenceFlip(), referencePadCrop(12)]],
    ['none', [], []],
  ];
  const normalizations = [{ kind: 'standardize' }, { kind: 'unit' }, { kind: 'mean-std', mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] }] as const;
  for (const [name, augmentations, reference] of cases) {
    for (const normalization of normalizations) {
      const actual = prepareBatchPixels({ records, count, width, height, normalization, sums, seeds, augmentations });
      const expected = new Float32Array(count * record);
      const ref = composeAugmentations(reference);
      for (let i = 0; i < count; i++) {
        const image = ref.apply({ data: records.subarray(i * record, (i + 1) * record), width, height }, createRng(seeds[i])).data;
        normalizeInto(image, expected, i * record, normalization);
      }
      assert.deepEqual(actual, expected, `${name}, ${normalization.kind}`);
    }
  }
});

test('batches: the native pass gives the reference bytes for every chain at odd sizes (gather-only pictures copied, blends vectorized)', () => {
  for (const [name, build, reference] of chains) {
    for (const [width, height] of [[37, 23], [8, 40], [1, 5]]) {
      const count = 40;
      const record = width * height * 3;
      const records = noise(width, height * count, width * 1000 + height);
      const sums = new Float64Array(count * 2);
      const seeds = Uint32Array.from({ length: count }, (_, i) => deriveSeed(5, 2, i, 0xa5));
      const expected = new Float32Array(count * record);
      const ref = composeAugmentations(reference());
      for (let i = 0; i < count; i++) {
        const picture = records.subarray(i * record, (i + 1) * record);
        [sums[2 * i], sums[2 * i + 1]] = Object.values(pixelSums(picture));
        normalizeInto(ref.apply({ data: picture, width, height }, createRng(seeds[i])).data, expected, i * record, { kind: 'standardize' });
      }
      const actual = prepareBatchPixels({ records, count, width, height, normalization: { kind: 'standardize' }, sums, seeds, augmentations: build() });
      assert.deepEqual(actual, expected, `${name}, ${width}x${height}`);
    }
  }
});

test('chains with a rotation, colour jitter or two blends are not fused', () => {
  assert.ok(!canChainAxisMaps([horizontalFlip(), randomRotation(10)]));
  assert.ok(!canChainAxisMaps(buildAugmentations({ flip: true, brightness: 0.1 })));
  assert.ok(!canChainAxisMaps([randomScaleCrop(0.9), randomScaleCrop(0.8)]));
  assert.equal(chainAxisMaps([randomScaleCrop(0.9), randomScaleCrop(0.8)], 10, 10, createRng(1)), undefined);
  assert.ok(canChainAxisMaps([]));
});
