import './data-helpers';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalizeImage, normalizeInto, resolvePreprocessing, standardizationStats } from '../src/data';
import { pixelSums } from '../src/data/normalize';

/** TF's per_image_standardization written with tf ops, as in tensorflow/python/ops/image_ops_impl.py. */
function tfPerImageStandardization(pixels: Uint8Array, shape: [number, number, number]): Float32Array {
  return tf.tidy(() => {
    const image = tf.tensor3d(Float32Array.from(pixels), shape);
    const numPixels = shape[0] * shape[1] * shape[2];
    const mean = tf.mean(image);
    const variance = tf.mean(tf.square(tf.sub(image, mean)));
    const adjusted = tf.maximum(tf.sqrt(variance), tf.rsqrt(tf.scalar(numPixels)));
    return tf.div(tf.sub(image, mean), adjusted).dataSync() as Float32Array;
  });
}

function randomPixels(n: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
}

describe('standardize', () => {
  test('matches TF per_image_standardization on random images', () => {
    for (const [h, w] of [[7, 5], [32, 32], [150, 150]] as const) {
      const pixels = randomPixels(h * w * 3, h * 1000 + w);
      const ours = normalizeImage(pixels, { kind: 'standardize' });
      const theirs = tfPerImageStandardization(pixels, [h, w, 3]);
      for (let i = 0; i < ours.length; i++) {
        assert.ok(Math.abs(ours[i] - theirs[i]) <= 2e-6 * Math.max(1, Math.abs(theirs[i])), `${h}x${w}[${i}]: ${ours[i]} vs ${theirs[i]}`);
      }
    }
  });

  test('hand-computed: two pixels, black and white', () => {
    // mean 127.5, population std 127.5 -> exactly -1 and +1
    assert.deepEqual([...normalizeImage(Uint8Array.from([0, 0, 0, 255, 255, 255]), { kind: 'standardize' })], [-1, -1, -1, 1, 1, 1]);
  });

  test('a uniform image divides by 1/sqrt(N) instead of zero', () => {
    const pixels = new Uint8Array(4 * 4 * 3).fill(77);
    const { mean, adjustedStd } = standardizationStats(pixels);
    assert.equal(mean, 77);
    assert.equal(adjustedStd, Math.fround(1 / Math.sqrt(48)));
    assert.ok(normalizeImage(pixels, { kind: 'standardize' }).every((v) => v === 0));
    // One pixel differs: std = sqrt(47)/48 (0.1428) is just below the floor 1/sqrt(48) (0.1443), so the floor applies.
    const almost = new Uint8Array(48).fill(10);
    almost[0] = 11;
    const theirs = tfPerImageStandardization(almost, [4, 4, 3]);
    const ours = normalizeImage(almost, { kind: 'standardize' });
    ours.forEach((v, i) => assert.ok(Math.abs(v - theirs[i]) < 1e-6));
  });

  test('output has mean 0 and standard deviation 1', () => {
    const out = normalizeImage(randomPixels(150 * 150 * 3, 1), { kind: 'standardize' });
    const mean = out.reduce((a, b) => a + b, 0) / out.length;
    const std = Math.sqrt(out.reduce((a, b) => a + (b - mean) ** 2, 0) / out.length);
    assert.ok(Math.abs(mean) < 1e-5);
    assert.ok(Math.abs(std - 1) < 1e-5);
  });

  test('precomputed sums (from the cache index) give identical output', () => {
    const pixels = randomPixels(30 * 20 * 3, 9);
    const direct = normalizeImage(pixels, { kind: 'standardize' });
    const viaSums = new Float32Array(pixels.length + 3);
    normalizeInto(pixels, viaSums, 3, { kind: 'standardize' }, pixelSums(pixels));
    assert.deepEqual(viaSums.subarray(3), direct);
  });

  test('unaligned buffers take the byte-wise path with the same result', () => {
    const backing = randomPixels(3 * 5 + 1, 3);
    const unaligned = backing.subarray(1);
    const copy = Uint8Array.from(unaligned);
    assert.deepEqual(normalizeImage(unaligned, { kind: 'unit' }), normalizeImage(copy, { kind: 'unit' }));
  });
});

describe('other normalizations', () => {
  test('unit divides by 255', () => {
    assert.deepEqual([...normalizeImage(Uint8Array.from([0, 51, 255]), { kind: 'unit' })], [0, Math.fround(0.2), 1]);
  });

  test('mean-std uses per-channel values on the 0..1 scale', () => {
    const config = resolvePreprocessing({ normalization: { kind: 'mean-std', mean: [0.5, 0, 1], std: [0.5, 1, 0.25] } });
    const out = normalizeImage(Uint8Array.from([255, 255, 255, 0, 0, 0]), config.normalization);
    assert.deepEqual([...out], [1, 1, 0, -1, 0, -4]);
  });

  test('invalid configurations are rejected with a DatasetError', () => {
    assert.throws(() => resolvePreprocessing({ normalization: { kind: 'mean-std', mean: [0, 0, 0], std: [1, 0, 1] } }), /positive/);
    assert.throws(() => resolvePreprocessing({ size: 0 }), /between 1 and 4096/);
    assert.throws(() => resolvePreprocessing({ resizeMode: 'squash' as never }), /Unknown resize mode/);
  });

  test('the config is JSON-serializable and round-trips', () => {
    const config = resolvePreprocessing({ size: [224, 160], resizeMode: 'cover', normalization: 'unit' });
    const restored = resolvePreprocessing(JSON.parse(JSON.stringify(config)));
    assert.deepEqual(restored, config);
    assert.equal(restored.width, 224);
    assert.equal(restored.height, 160);
  });
});
