import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../trained-network/run-config';

export function createOptimizer(name: OptimizerName, lr: number, momentum: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(lr);
    case 'sgd':
      return momentum > 0 ? tf.train.momentum(lr, momentum) : tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr, 0.9, momentum);
  }
}

/**
 * tfjs optimizers take the rate in the constructor only. SGD and momentum
 * cache it as a tensor behind setLearningRate(); Adam and RMSProp read the
 * plain `learningRate` field at every step, so writing it is enough.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (o.learningRate === lr) return;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/**
 * Decoupled weight decay (Loshchilov & Hutter, "AdamW"): after the optimizer
 * step, shrink every kernel by lr·decay. Unlike an L2 term in the loss it is
 * not rescaled by Adam's per-weight step sizes. Biases and BatchNorm
 * parameters are left alone, as usual.
 */
export function applyWeightDecay(model: tf.LayersModel, lr: number, decay: number): void {
  if (decay === 0) return;
  const factor = 1 - lr * decay;
  tf.tidy(() => {
    for (const w of model.trainableWeights) {
      if (/(kernel|depthwise_kernel)$/.test(w.originalName)) w.write(tf.mul(w.read(), factor));
    }
  });
}
