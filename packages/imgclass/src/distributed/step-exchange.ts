// What one training step hands to the other ranks and gets back: train's step
// calls it, data-parallel implements it.
import type * as tf from '@tensorflow/tfjs';

/** A step's loss (mean over its pictures), correct predictions and picture count. */
export interface StepTotals {
  loss: number;
  correct: number;
  images: number;
}

/**
 * Data-parallel training: turns this process's gradients and totals (of its
 * part of the batch) into those of the whole batch, before the optimizer step.
 */
export type GradientExchange = (grads: tf.NamedTensorMap, local: StepTotals) => { grads: tf.NamedTensorMap; totals: StepTotals };
