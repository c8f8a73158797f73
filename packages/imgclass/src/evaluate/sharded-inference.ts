// Distributed predict and evaluate: each rank computes whole batches
// (rank, rank + N, …), so each picture's numbers are those of a one-process
// run; the parts are gathered at rank 0 back in input order and shared with
// every rank, so the commands print exactly what one process prints.
import type * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/image-dataset';
import { DatasetPredictions, predictDataset } from './predict-dataset';
import { Classifier, loadClassifier } from '../trained-network/load-classifier';
import { checkSomeRead, predict, Prediction, PredictOptions } from '../predict/predict';
import type { DataParallel } from '../distributed/data-parallel';
import type { TtaMode } from '../predict/test-time-augmentation';

/**
 * Puts per-rank lists of whole batches back in order: batch b came from rank
 * b mod N. Every rank gets the merged list (gathered at rank 0, then broadcast).
 */
export function mergeBatchShards<T>(dp: DataParallel, mine: T[], batchSize: number): T[] {
  const parts = dp.world.gather(mine, 0);
  let merged: T[] | null = null;
  if (parts) {
    merged = [];
    const taken = parts.map(() => 0);
    for (let b = 0; ; b++) {
      const rank = b % parts.length;
      const batch = parts[rank].slice(taken[rank], taken[rank] + batchSize);
      if (batch.length === 0) break;
      merged.push(...batch);
      taken[rank] += batch.length;
    }
  }
  return dp.fromRoot(merged) as T[];
}

/** predict() with the pictures' batches spread over the ranks; the same list on every rank. */
export async function predictSharded(
  dp: DataParallel,
  classifier: Classifier | string,
  inputs: readonly string[],
  options: PredictOptions = {},
): Promise<Prediction[]> {
  const batchSize = options.batchSize ?? 32;
  const c = typeof classifier === 'string' ? await loadClassifier(classifier, { inference: true }) : classifier;
  let mine: Prediction[];
  try {
    mine = await predict(c, inputs, { ...options, batchSize, batchShard: dp.shard });
  } finally {
    if (c !== classifier) c.model.dispose();
  }
  const all = mergeBatchShards(dp, mine, batchSize);
  checkSomeRead(all);
  return all;
}

interface PredictedRow {
  probs: number[];
  augmented?: number[];
  label: number;
  path: string;
}

/** predictDataset() with the batches spread over the ranks; the same predictions on every rank. */
export async function predictDatasetSharded(
  dp: DataParallel,
  model: tf.LayersModel,
  dataset: ImageDataset,
  batchSize: number,
  options: { tta?: boolean | TtaMode } = {},
): Promise<DatasetPredictions> {
  const mine = await predictDataset(model, dataset, batchSize, { ...options, batchShard: dp.shard });
  const k = mine.classes;
  const rows: PredictedRow[] = mine.paths.map((path, i) => ({
    probs: Array.from(mine.probs.subarray(i * k, (i + 1) * k)),
    ...(mine.augmentedProbs ? { augmented: Array.from(mine.augmentedProbs.subarray(i * k, (i + 1) * k)) } : {}),
    label: mine.labels[i],
    path,
  }));
  // float32 → JSON → float32 is exact: JSON prints the shortest decimal that reads back to the same double.
  const all = mergeBatchShards(dp, rows, batchSize);
  return {
    probs: Float32Array.from(all.flatMap((r) => r.probs)),
    labels: Int32Array.from(all, (r) => r.label),
    paths: all.map((r) => r.path),
    classes: k,
    ...(options.tta ? { augmentedProbs: Float32Array.from(all.flatMap((r) => r.augmented ?? [])) } : {}),
  };
}
