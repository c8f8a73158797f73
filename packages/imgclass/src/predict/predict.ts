import * as tf from '@tensorflow/tfjs';
import { mapConcurrent } from '../data/concurrency';
import { ImageDecodeError } from '../data/errors';
import { imageToTensor } from '../data/image-to-tensor';
import { ImgclassError } from '../errors';
import { expandInputs } from './expand-inputs';
import { Classifier, loadClassifier } from '../trained-network/load-classifier';
import { predictBatchProbabilities, TtaMode } from './test-time-augmentation';

export interface ClassProbability {
  className: string;
  probability: number;
}

export interface Prediction {
  path: string;
  /** Most probable first; `top` entries. Empty when the picture could not be read. */
  top: ClassProbability[];
  /** Why the picture was skipped. */
  error?: string;
}

export interface PredictOptions {
  /** Classes reported per picture. Default 1. */
  top?: number;
  /** Pictures per forward pass. Default 32. */
  batchSize?: number;
  /**
   * Test-time augmentation: true or 'flip' reports the mean of the picture's and its mirror image's
   * probabilities; 'crops' the mean over the picture and its four corner crops, each also mirrored. Default false.
   */
  tta?: boolean | TtaMode;
  /**
   * Predict only batches index, index + count, … (one rank of a distributed
   * run: whole batches, so every picture is computed in the same company as
   * in one process). The caller merges the parts and checks that any picture was read.
   */
  batchShard?: { index: number; count: number };
}

/**
 * Classifies pictures: files, folders (recursive) or glob patterns. The
 * classifier is a run folder, a model folder / model.json, or an already
 * loaded Classifier. An unreadable picture among many is reported in its row;
 * if nothing at all can be read, that is an error.
 */
export async function predict(
  classifier: Classifier | string,
  inputs: string | readonly string[],
  options: PredictOptions = {},
): Promise<Prediction[]> {
  const own = typeof classifier === 'string';
  const c = own ? await loadClassifier(classifier, { inference: true }) : classifier;
  try {
    const top = Math.min(options.top ?? 1, c.classes.length);
    if (!Number.isInteger(top) || top < 1) throw new ImgclassError('INVALID_OPTION', `--top must be a positive integer, got ${options.top}.`);
    const batchSize = options.batchSize ?? 32;
    const files = await expandInputs(typeof inputs === 'string' ? [inputs] : inputs);
    const results: Prediction[] = [];
    const shard = options.batchShard ?? { index: 0, count: 1 };
    for (let start = shard.index * batchSize; start < files.length; start += shard.count * batchSize) {
      results.push(...(await predictBatch(c, files.slice(start, start + batchSize), top, files.length === 1, options.tta ?? false)));
    }
    if (!options.batchShard) checkSomeRead(results);
    return results;
  } finally {
    if (own) c.model.dispose();
  }
}

/** Fails when not one of the pictures could be read. */
export function checkSomeRead(results: readonly Prediction[]): void {
  if (results.length > 0 && results.every((r) => r.error)) {
    throw new ImgclassError('NO_IMAGES', `None of the ${results.length} pictures could be read (first: ${results[0].error}).`);
  }
}

async function predictBatch(c: Classifier, files: string[], top: number, single: boolean, tta: boolean | TtaMode): Promise<Prediction[]> {
  const decoded = await mapConcurrent(files, 8, async (file) => {
    try {
      return { file, tensor: await imageToTensor(file, c.preprocessing) };
    } catch (err) {
      // One picture asked for: its problem is the answer. Among many: note it and go on.
      if (single || !(err instanceof ImageDecodeError)) throw err;
      return { file, error: err.reason };
    }
  });
  const ok = decoded.filter((d): d is { file: string; tensor: tf.Tensor4D } => 'tensor' in d);
  let probs: Float32Array = new Float32Array(0);
  if (ok.length > 0) {
    const xs = tf.concat(ok.map((d) => d.tensor));
    const out = predictBatchProbabilities(c.model, xs, tta, ok.length);
    probs = (await (out.augmented ?? out.plain).data()) as Float32Array;
    tf.dispose([out.plain, out.augmented, xs, ...ok.map((d) => d.tensor)]);
  }
  const k = c.classes.length;
  let row = 0;
  return decoded.map((d) => {
    if (!('tensor' in d)) return { path: d.file, top: [], error: d.error };
    const p = probs.subarray(row * k, ++row * k);
    const ranked = [...p].map((probability, i) => ({ className: c.classes[i], probability }));
    ranked.sort((a, b) => b.probability - a.probability);
    return { path: d.file, top: ranked.slice(0, top) };
  });
}
