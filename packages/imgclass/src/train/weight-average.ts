import * as tf from '@tensorflow/tfjs';
import type { AveragedWeights } from '../trained-network/checkpoint';

/**
 * The decay of update number `n` (1 for the first): TensorFlow's ExponentialMovingAverage with
 * num_updates, min(decay, (1 + n) / (10 + n)). Early on the average follows the weights closely,
 * so it is not held back by the random initial weights for thousands of steps.
 */
export function averageDecayAt(decay: number, n: number): number {
  return Math.min(decay, (1 + n) / (10 + n));
}

/**
 * An exponential moving average of every weight of a model (`--ema`): the trainable ones and
 * BatchNorm's moving mean and variance alike, as timm's ModelEmaV2 averages a whole state dict.
 * It starts at the model's weights and after each optimizer step becomes
 * d·average + (1 − d)·weights, d = averageDecayAt(decay, steps done). Kept in float32 beside the
 * model; the model's own weights stay those the optimizer trains.
 */
export class WeightAverage implements AveragedWeights {
  private readonly averages: tf.Variable[];

  constructor(
    private readonly model: tf.LayersModel,
    readonly decay: number,
  ) {
    // Sharing storage with the weights is safe: tfjs tensors are immutable, and the backend's in-place
    // optimizers copy a variable whose buffer another tensor shares before writing it.
    this.averages = model.weights.map((w) => tf.variable(w.read(), false));
  }

  /** After optimizer step number `n` (1 for the first). */
  update(n: number): void {
    const d = averageDecayAt(this.decay, n);
    tf.tidy(() => {
      this.model.weights.forEach((w, i) => {
        const average = this.averages[i];
        average.assign(tf.add(tf.mul(average, d), tf.mul(w.read(), 1 - d)));
      });
    });
  }

  /** The averaged weights, in the order of model.weights (owned by this object). */
  tensors(): tf.Tensor[] {
    return this.averages;
  }

  /** Replaces the average (from a checkpoint); `tensors` stay the caller's. */
  assign(tensors: readonly tf.Tensor[]): void {
    if (tensors.length !== this.averages.length) throw new Error(`An average of ${this.averages.length} weights cannot take ${tensors.length}.`);
    tensors.forEach((t, i) => this.averages[i].assign(t));
  }

  /** Runs `work` with the averaged weights in the model, then puts the trained weights back. */
  async withAverageIn<T>(work: () => Promise<T>): Promise<T> {
    const trained = this.model.weights.map((w) => tf.clone(w.read()));
    this.writeInto();
    try {
      return await work();
    } finally {
      this.model.weights.forEach((w, i) => w.write(trained[i]));
      tf.dispose(trained);
    }
  }

  /** Writes the averaged weights into the model's variables (for good: the final model). */
  writeInto(): void {
    this.model.weights.forEach((w, i) => w.write(this.averages[i]));
  }

  dispose(): void {
    tf.dispose(this.averages);
  }
}
