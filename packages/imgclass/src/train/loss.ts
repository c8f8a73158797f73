import * as tf from '@tensorflow/tfjs';

// Probabilities are clipped before the log, as Keras does, so a confident wrong answer gives a large finite loss.
const EPSILON = 1e-7;

/**
 * Mean categorical cross-entropy of softmax outputs against integer labels,
 * with label smoothing: targets (1 - ε)·onehot + ε/K.
 */
export function crossEntropy(probs: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const classes = probs.shape[1];
    let targets = tf.oneHot(labels, classes).toFloat();
    if (labelSmoothing > 0) targets = targets.mul(1 - labelSmoothing).add(labelSmoothing / classes);
    const logp = tf.log(tf.clipByValue(probs, EPSILON, 1 - EPSILON));
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, logp), -1))) as tf.Scalar;
  });
}

/**
 * Mean softmax cross-entropy from logits, with label smoothing; stable for
 * any logit size (log-softmax subtracts the row maximum).
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const classes = logits.shape[1];
    let targets = tf.oneHot(labels, classes).toFloat();
    if (labelSmoothing > 0) targets = targets.mul(1 - labelSmoothing).add(labelSmoothing / classes);
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))) as tf.Scalar;
  });
}

/** Number of rows whose arg-max equals the label. */
export function countCorrect(probs: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.equal(tf.argMax(probs, -1), labels).toInt()));
}
