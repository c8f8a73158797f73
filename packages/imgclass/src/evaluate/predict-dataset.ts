import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/image-dataset';
import { predictBatchProbabilities, TtaMode } from '../predict/test-time-augmentation';

/** Softmax outputs for every image of a dataset, in dataset order. */
export interface DatasetPredictions {
  /** Row-major [images, classes]. */
  probs: Float32Array;
  labels: Int32Array;
  paths: string[];
  classes: number;
  /** With test-time augmentation: the mean of the outputs over every view (see ttaViews), laid out as `probs`. */
  augmentedProbs?: Float32Array;
}

/**
 * Runs the model in inference mode over the dataset (no shuffle, no training augmentation); `tta` adds flipped pictures
 * (true, 'flip'), and corner crops ('crops').
 * `batchShard` keeps only batches index, index + count, … (one rank's part of a distributed evaluation).
 */
export async function predictDataset(
  model: tf.LayersModel,
  dataset: ImageDataset,
  batchSize = 32,
  options: { tta?: boolean | TtaMode; batchShard?: { index: number; count: number } } = {},
): Promise<DatasetPredictions> {
  const classes = (model.outputs[0].shape as number[])[1];
  const shard = options.batchShard ?? { index: 0, count: 1 };
  const rows = shardRows(dataset.size, batchSize, shard);
  const probs = new Float32Array(rows * classes);
  const augmentedProbs = options.tta ? new Float32Array(rows * classes) : undefined;
  const labels = new Int32Array(rows);
  const paths: string[] = [];
  let row = 0;
  let batchIndex = 0;
  for await (const batch of dataset.batches({ batchSize, shuffle: false, augment: false })) {
    if (batchIndex++ % shard.count !== shard.index) {
      tf.dispose([batch.xs, batch.ys]);
      continue;
    }
    const out = predictBatchProbabilities(model, batch.xs, options.tta ?? false, batchSize);
    probs.set(await out.plain.data(), row * classes);
    if (augmentedProbs && out.augmented) augmentedProbs.set(await out.augmented.data(), row * classes);
    labels.set(batch.labels, row);
    paths.push(...batch.paths);
    row += batch.labels.length;
    tf.dispose([out.plain, out.augmented, batch.xs, batch.ys]);
  }
  return { probs, labels, paths, classes, ...(augmentedProbs ? { augmentedProbs } : {}) };
}

/** Pictures in batches index, index + count, … of `size` pictures in batches of `batchSize`. */
function shardRows(size: number, batchSize: number, shard: { index: number; count: number }): number {
  let rows = 0;
  for (let start = shard.index * batchSize; start < size; start += shard.count * batchSize) rows += Math.min(batchSize, size - start);
  return rows;
}

/** Mean cross-entropy and accuracy of predictions (what validation logs). */
export function lossAndAccuracy(p: DatasetPredictions): { loss: number; accuracy: number } {
  const n = p.labels.length;
  if (n === 0) return { loss: NaN, accuracy: NaN };
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = p.probs.subarray(i * p.classes, (i + 1) * p.classes);
    loss -= Math.log(Math.min(1 - 1e-7, Math.max(1e-7, row[p.labels[i]])));
    if (argMax(row) === p.labels[i]) correct++;
  }
  return { loss: loss / n, accuracy: correct / n };
}

export function argMax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}
