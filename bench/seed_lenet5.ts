// The seed's LeNet-5 at 150x150x3 built with tf.layers (14,606,766 parameters).
import * as tf from '@tensorflow/tfjs';

export function seedLenet5(classes = 2): tf.LayersModel {
  return tf.sequential({layers: [
    tf.layers.conv2d({inputShape: [150, 150, 3], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu'}),
    tf.layers.averagePooling2d({poolSize: 2, strides: 2, padding: 'same'}),
    tf.layers.conv2d({filters: 16, kernelSize: 5, padding: 'same', activation: 'relu'}),
    tf.layers.averagePooling2d({poolSize: 2, strides: 2, padding: 'same'}),
    tf.layers.conv2d({filters: 120, kernelSize: 5, padding: 'same', activation: 'relu'}),
    tf.layers.flatten(),
    tf.layers.dense({units: 84, activation: 'relu'}),
    tf.layers.dense({units: classes, activation: 'softmax'}),
  ]});
}
