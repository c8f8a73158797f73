import * as tf from '@tensorflow/tfjs';
import { shardOf } from '../data/batch-iterator';
import type { TrainingBatch } from './batch-mixing';
import { deriveSeed } from '../math/rng';
import { accumulateWeighted, averagedGradients, gradientLength } from '../distributed/gradient-buffer';
import { applyStep, batchGradients, StepParts, StepSettings, StepTotals } from './train-step';

/** Dropout seed of part `index` of a batch (a rank, or a micro-batch): part 0 keeps the run's seed. */
export function partSeed(runSeed: number, index: number): number {
  return index === 0 ? runSeed : deriveSeed(runSeed, index, 0xd1);
}

/**
 * One optimizer step on a batch split into `parts` consecutive micro-batches,
 * run one after another: what `parts` data-parallel ranks compute, in one
 * process. Each part's forward pass has its own BatchNorm batch statistics,
 * gradients are combined with the ranks' arithmetic (each part's gradient ×
 * its picture count, summed in float32, ÷ the batch's count), and BatchNorm's
 * moving statistics are those after part 0, as rank 0 keeps them. Also fits a
 * batch whose activations would not fit in memory at once.
 */
export function microBatchStep(parts: StepParts, batch: TrainingBatch, s: StepSettings, count: number): StepTotals {
  const indices = Array.from(batch.labels, (_, i) => i);
  let sum: Float32Array | undefined;
  let like: tf.NamedTensorMap | undefined;
  let movingAfterPart0: tf.Tensor[] | undefined;
  const totals: StepTotals = { loss: 0, correct: 0, images: 0 };
  try {
    for (let index = 0; index < count; index++) {
      const rows = shardOf(indices, { index, count });
      if (rows.length === 0) continue;
      const start = rows[0];
      const part: TrainingBatch = {
        xs: tf.slice(batch.xs, start, rows.length),
        ys: tf.slice(batch.ys, start, rows.length),
        ...(batch.targets ? { targets: tf.slice(batch.targets, start, rows.length) } : {}),
        labels: batch.labels.subarray(start, start + rows.length),
        paths: batch.paths.slice(start, start + rows.length),
      };
      const { grads, totals: local } = batchGradients(parts, part, { ...s, seed: partSeed(s.seed, index) });
      if (!sum) sum = new Float32Array(gradientLength(grads));
      accumulateWeighted(sum, grads, local.images, like !== undefined);
      if (like) tf.dispose(Object.values(grads));
      else like = grads;
      totals.loss += local.loss * local.images;
      totals.correct += local.correct;
      totals.images += local.images;
      if (index === 0) movingAfterPart0 = parts.model.nonTrainableWeights.map((w) => tf.clone(w.read()));
    }
    const averaged = averagedGradients(sum as Float32Array, like as tf.NamedTensorMap, totals.images);
    applyStep(parts, averaged, s);
    tf.dispose(Object.values(averaged));
    parts.model.nonTrainableWeights.forEach((w, i) => w.write((movingAfterPart0 as tf.Tensor[])[i]));
  } finally {
    tf.dispose([batch.xs, batch.ys, ...(batch.targets ? [batch.targets] : []), ...(movingAfterPart0 ?? []), ...Object.values(like ?? {})]);
  }
  return { ...totals, loss: totals.loss / totals.images };
}
