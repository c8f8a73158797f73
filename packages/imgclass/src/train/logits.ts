import * as tf from '@tensorflow/tfjs';

/**
 * Training computes the loss from logits, not from the softmax output.
 * tf.layers' cross-entropy clips probabilities to [1e-7, 1 - 1e-7], and a
 * saturated softmax then has zero gradient: one bad early step (LeNet-5's
 * 173,280-input dense layer with Adam makes large ones) and the network is
 * stuck at loss ≈ 8.06 forever. With log-softmax of the logits the gradient
 * stays p − y and training recovers. The saved model keeps its softmax layer;
 * this only reaches under it: the final Dense layer is re-applied without
 * its activation to the features of the layer below, sharing the weights.
 */
export interface LogitsView {
  logits(x: tf.Tensor, training: boolean): tf.Tensor2D;
}

export function logitsView(model: tf.LayersModel): LogitsView | null {
  const last = model.layers[model.layers.length - 1];
  const config = last.getConfig();
  const className = last.getClassName();
  if (className === 'Softmax' || (className === 'Activation' && config.activation === 'softmax')) {
    // An imported network whose scores feed a separate softmax layer: the scores are the logits.
    const scores = tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
    return { logits: (x, training) => scores.apply(x, { training }) as tf.Tensor2D };
  }
  if (className !== 'Dense' || config.activation !== 'softmax') return null;
  // A second model over the same layers: no new weights, no reference counts taken (only symbolic calls count).
  const features = tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
  const [kernel, bias] = last.weights;
  return {
    logits: (x, training) => {
      const h = features.apply(x, { training }) as tf.Tensor2D;
      const z = tf.matMul(h, kernel.read() as tf.Tensor2D);
      return (bias ? tf.add(z, bias.read()) : z) as tf.Tensor2D;
    },
  };
}
