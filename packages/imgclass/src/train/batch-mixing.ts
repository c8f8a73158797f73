import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/batch-iterator';
import type { PixelBox } from '../data/augment';
import { Rng, sampleBeta, shuffleInPlace } from '../math/rng';

/** A training batch whose loss may be taken against soft targets instead of its labels. */
export interface TrainingBatch extends Batch {
  /**
   * float32 [batch, classes]: each picture's target distribution (before label smoothing), for
   * mixed pictures. Absent: the one-hot rows of `ys`. Disposed with the batch.
   */
  targets?: tf.Tensor2D;
}

/** Beta(α, α) parameters of the two batch-mixing methods; 0 turns one off. */
export interface MixingSettings {
  mixup: number;
  cutmix: number;
}

/** How one batch was mixed (for tests and logs). */
export interface BatchMix {
  method: 'mixup' | 'cutmix';
  /** Weight of each picture's own content and label; 1 − lambda goes to its partner's. */
  lambda: number;
  /** partner[i]: the picture mixed into picture i (a seeded permutation of the batch). */
  partner: Int32Array;
  /** CutMix: the box pasted from each partner (the same box for the whole batch). */
  box: PixelBox | null;
}

export function mixingEnabled(s: MixingSettings): boolean {
  return s.mixup > 0 || s.cutmix > 0;
}

/**
 * Mixes a batch of pictures with integer labels, drawing everything from `rng` in this order:
 * the method (only when both are on: each with probability 1/2, as timm's Mixup), λ ~ Beta(α, α),
 * the partner permutation, and for CutMix the box centre.
 *  - mixup (Zhang et al., 2018): x = λ·x + (1 − λ)·x[partner], targets λ·y + (1 − λ)·y[partner].
 *  - CutMix (Yun et al., 2019; their reference code's box): a box of side √(1 − λ) of each side,
 *    centred uniformly and clipped to the picture, is pasted from the partner; λ becomes the share
 *    of the picture left uncovered, so the targets follow the pixel areas.
 * Cross-entropy is linear in the targets, so the loss equals λ·CE(y) + (1 − λ)·CE(y[partner]), the
 * papers' form; label smoothing of the mixed targets equals mixing the smoothed ones (timm's way).
 * Returns a new batch (the given one's tensors are disposed) and how it was mixed.
 */
export function mixBatch(batch: Batch, classes: number, settings: MixingSettings, rng: Rng): { batch: TrainingBatch; mix: BatchMix } {
  const method = settings.mixup > 0 && settings.cutmix > 0 ? (rng() < 0.5 ? 'mixup' : 'cutmix') : settings.mixup > 0 ? 'mixup' : 'cutmix';
  const alpha = method === 'mixup' ? settings.mixup : settings.cutmix;
  let lambda = sampleBeta(alpha, alpha, rng);
  const n = batch.labels.length;
  const partner = Int32Array.from(shuffleInPlace(Array.from({ length: n }, (_, i) => i), rng));
  const [, height, width] = batch.xs.shape;
  let box: PixelBox | null = null;
  if (method === 'cutmix') {
    box = cutMixBox(width, height, lambda, rng);
    lambda = 1 - (box.width * box.height) / (width * height);
  }
  const mixed = tf.tidy(() => {
    const order = tf.tensor1d(partner, 'int32');
    const others = tf.gather(batch.xs, order);
    const xs = box ? pasteBox(batch.xs, others, box) : tf.add(tf.mul(batch.xs, lambda), tf.mul(others, 1 - lambda));
    const own = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), classes).toFloat();
    const theirs = tf.gather(own, order);
    const targets = tf.add(tf.mul(own, lambda), tf.mul(theirs, 1 - lambda)) as tf.Tensor2D;
    return { xs: xs as tf.Tensor4D, targets };
  });
  tf.dispose(batch.xs);
  return { batch: { ...batch, xs: mixed.xs, targets: mixed.targets }, mix: { method, lambda, partner, box } };
}

/**
 * CutMix's box for λ (Yun et al.'s rand_bbox): sides ⌊W·√(1 − λ)⌋ and ⌊H·√(1 − λ)⌋, centre uniform
 * over the pixels, corners clipped to the picture (so a box at an edge covers less).
 */
export function cutMixBox(width: number, height: number, lambda: number, rng: Rng): PixelBox {
  const ratio = Math.sqrt(1 - lambda);
  const halfW = Math.floor(Math.floor(width * ratio) / 2);
  const halfH = Math.floor(Math.floor(height * ratio) / 2);
  const cx = Math.floor(rng() * width);
  const cy = Math.floor(rng() * height);
  const clip = (v: number, size: number) => Math.min(size, Math.max(0, v));
  const x1 = clip(cx - halfW, width);
  const x2 = clip(cx + halfW, width);
  const y1 = clip(cy - halfH, height);
  const y2 = clip(cy + halfH, height);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/** `base` with `box` taken from `patch` (both [n, height, width, c]). */
function pasteBox(base: tf.Tensor4D, patch: tf.Tensor4D, box: PixelBox): tf.Tensor4D {
  const [, height, width] = base.shape;
  const mask = tf.buffer([1, height, width, 1], 'float32');
  for (let y = box.y; y < box.y + box.height; y++) for (let x = box.x; x < box.x + box.width; x++) mask.set(1, 0, y, x, 0);
  const inside = mask.toTensor();
  return tf.add(tf.mul(base, tf.sub(1, inside)), tf.mul(patch, inside)) as tf.Tensor4D;
}
