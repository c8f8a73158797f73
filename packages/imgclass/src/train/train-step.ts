import * as tf from '@tensorflow/tfjs';
import type { TrainingBatch } from './batch-mixing';
import { reseedDropout } from './dropout-seeds';
import type { LogitsView } from './logits';
import { countCorrect, crossEntropy, softmaxCrossEntropy } from './loss';
import { applyWeightDecay, setLearningRate } from './optimizer';
import type { GradientExchange, StepTotals } from '../distributed/step-exchange';

export type { GradientExchange, StepTotals };

/** The network being trained, and what one optimizer step needs besides a batch. */
export interface StepParts {
  model: tf.LayersModel;
  /** From logitsView(model): the loss is taken from logits when the model allows it. */
  logits: LogitsView | null;
  optimizer: tf.Optimizer;
  /** The model's trainable variables, read once per run. */
  variables: tf.Variable[];
}

export interface StepSettings {
  lr: number;
  labelSmoothing: number;
  weightDecay: number;
  /** Run seed and 0-based step: they choose the dropout masks. */
  seed: number;
  step: number;
  exchange?: GradientExchange;
}

/**
 * One optimizer step on a batch with integer labels (or mixed pictures' target
 * rows): forward pass in training mode, cross-entropy, gradients, update,
 * decoupled weight decay. Disposes the batch's tensors. Returns the batch's
 * loss and correct count (against each picture's most weighted class).
 */
export function trainStep(parts: StepParts, batch: TrainingBatch, s: StepSettings): StepTotals {
  const { grads, totals } = batchGradients(parts, batch, s);
  const exchanged = s.exchange ? s.exchange(grads, totals) : { grads, totals };
  applyStep(parts, exchanged.grads, s);
  tf.dispose(Object.values(grads));
  if (exchanged.grads !== grads) tf.dispose(Object.values(exchanged.grads));
  return exchanged.totals;
}

/** Gradients of the batch's mean loss (the caller disposes them), its loss and correct count; disposes the batch. */
export function batchGradients(parts: StepParts, batch: TrainingBatch, s: StepSettings): { grads: tf.NamedTensorMap; totals: StepTotals } {
  const { model, logits: view, variables } = parts;
  reseedDropout(model, s.seed, s.step);
  let probs: tf.Tensor2D | undefined;
  const labels = batch.targets ?? (batch.ys as tf.Tensor1D);
  const { value, grads } = tf.variableGrads(() => {
    if (view) {
      const logits = view.logits(batch.xs, true);
      probs = tf.keep(logits); // arg-max of the logits = arg-max of the softmax, for the accuracy
      return softmaxCrossEntropy(logits, labels, s.labelSmoothing);
    }
    const out = model.apply(batch.xs, { training: true }) as tf.Tensor2D;
    probs = tf.keep(out);
    return crossEntropy(out, labels, s.labelSmoothing);
  }, variables);
  const correctTensor = tf.tidy(() => countCorrect(probs as tf.Tensor2D, batch.targets ? tf.argMax(batch.targets, -1) : (batch.ys as tf.Tensor1D)));
  const totals = { loss: value.dataSync()[0], correct: correctTensor.dataSync()[0], images: batch.labels.length };
  tf.dispose([value, correctTensor, probs as tf.Tensor, batch.xs, batch.ys, ...(batch.targets ? [batch.targets] : [])]);
  return { grads, totals };
}

/** The optimizer step with these gradients at rate s.lr, then decoupled weight decay. */
export function applyStep(parts: StepParts, grads: tf.NamedTensorMap, s: StepSettings): void {
  setLearningRate(parts.optimizer, s.lr);
  parts.optimizer.applyGradients(grads);
  applyWeightDecay(parts.model, s.lr, s.weightDecay);
}
