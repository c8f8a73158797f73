import * as tf from '@tensorflow/tfjs';

// Probabilities are clipped before the log, as Keras does, so a confident wrong answer gives a large finite loss.
const EPSILON = 1e-7;

/**
 * Integer labels [n] or target distributions [n, K] (mixed pictures) as target rows, with label
 * smoothing: (1 - ε)·targets + ε/K.
 */
function smoothedTargets(labels: tf.Tensor1D | tf.Tensor2D, classes: number, labelSmoothing: number): tf.Tensor2D {
  const targets = labels.rank === 2 ? (labels as tf.Tensor2D) : (tf.oneHot(labels as tf.Tensor1D, classes).toFloat() as tf.Tensor2D);
  return labelSmoothing > 0 ? (targets.mul(1 - labelSmoothing).add(labelSmoothing / classes) as tf.Tensor2D) : targets;
}

/**
 * Mean categorical cross-entropy of softmax outputs against integer labels
 * (or target rows), with label smoothing: targets (1 - ε)·onehot + ε/K.
 */
export function crossEntropy(probs: tf.Tensor2D, labels: tf.Tensor1D | tf.Tensor2D, labelSmoothing = 0): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const targets = smoothedTargets(labels, probs.shape[1], labelSmoothing);
    const logp = tf.log(tf.clipByValue(probs, EPSILON, 1 - EPSILON));
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, logp), -1))) as tf.Scalar;
  });
}

/**
 * Mean softmax cross-entropy from logits against integer labels (or target
 * rows), with label smoothing; stable for any logit size (log-softmax
 * subtracts the row maximum).
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D | tf.Tensor2D, labelSmoothing = 0): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const targets = smoothedTargets(labels, logits.shape[1], labelSmoothing);
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))) as tf.Scalar;
  });
}

/** Number of rows whose arg-max equals the label. */
export function countCorrect(probs: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.equal(tf.argMax(probs, -1), labels).toInt()));
}
