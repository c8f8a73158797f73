import * as tf from '@tensorflow/tfjs';

/**
 * A classifier's probabilities and, when its last layer is a softmax Dense,
 * Activation or Softmax layer, the logits before that softmax: comparisons between
 * runtimes are made on logits, which a saturated softmax would hide.
 */
export interface ClassifierOutputs {
  probabilities: Float32Array;
  logits: Float32Array | null;
}

export async function classifierOutputs(model: tf.LayersModel, input: tf.Tensor4D): Promise<ClassifierOutputs> {
  const last = model.layers[model.layers.length - 1];
  const config = last.getConfig();
  const probabilities = tf.tidy(() => model.predict(input) as tf.Tensor);
  const result: ClassifierOutputs = { probabilities: (await probabilities.data()) as Float32Array, logits: null };
  probabilities.dispose();
  const className = last.getClassName();
  const softmaxLayer = className === 'Softmax' || (config.activation === 'softmax' && ['Dense', 'Activation'].includes(className));
  if (!softmaxLayer) return result;
  // The sub-model shares the layers' weights; it is not disposed for that reason (it owns nothing).
  const features = tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
  const logits = tf.tidy(() => {
    const x = features.predict(input) as tf.Tensor2D;
    if (className !== 'Dense') return x;
    const [kernel, bias] = last.getWeights();
    return bias ? tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias) : tf.matMul(x, kernel as tf.Tensor2D);
  });
  result.logits = (await logits.data()) as Float32Array;
  logits.dispose();
  return result;
}

/** Largest |a[i] - b[i]|; the arrays must have the same length. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`Cannot compare ${a.length} values with ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
