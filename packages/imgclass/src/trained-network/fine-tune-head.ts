import * as tf from '@tensorflow/tfjs';
import { ImgclassError } from '../errors';

/**
 * For `train --init-from` with another number of classes: keeps every layer
 * (and weight) of `model` up to its last Dense layer and puts a fresh
 * softmax Dense with `classes` units in its place. A model that already has
 * `classes` outputs is returned as it is. The new model shares its layers
 * with `model`: dispose one of them only.
 */
export function withClassifierHead(model: tf.LayersModel, classes: number, seed?: number): tf.LayersModel {
  const units = model.outputs[0].shape[1];
  if (units === classes) return model;
  const layers = model.layers;
  const lastDense = [...layers].reverse().find((l) => l.getClassName() === 'Dense');
  const after = lastDense ? layers.slice(layers.indexOf(lastDense) + 1) : [];
  // Only an activation may follow the replaced layer; anything else would be silently dropped.
  if (!lastDense || after.some((l) => !['Activation', 'Softmax'].includes(l.getClassName()))) {
    throw new ImgclassError(
      'INVALID_OPTION',
      `The model ends in ${layers[layers.length - 1].getClassName()} layers, not a Dense layer imgclass could replace to get ${classes} classes.`,
    );
  }
  const head = tf.layers.dense({
    name: `${lastDense.name}_${classes}_classes`,
    units: classes,
    activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
  });
  const output = head.apply(lastDense.input as tf.SymbolicTensor) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: output, name: model.name });
}
