import * as tf from '@tensorflow/tfjs';
import { NetBuilder } from './net-builder';

/**
 * ResNet-18 (He et al. 2015) with BatchNorm: conv 7×7/2 ×64 → BN → ReLU →
 * max-pool 3×3/2 → four stages of two basic blocks (64, 128, 256, 512
 * filters; stages 2-4 start with stride 2 and a 1×1 projection shortcut) →
 * global average pooling → dense classes. SAME padding everywhere, so any
 * input size works; the global pooling makes the parameter count independent of it.
 * `width` scales every layer's filters: 0.5 is the half-width network ('resnet18-half').
 */
export function buildResnet18(b: NetBuilder, width = 1): tf.LayersModel {
  const conv = (name: string, filters: number, kernelSize: number, strides = 1) =>
    tf.layers.conv2d({ name, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: b.he() });
  const bn = (name: string) => tf.layers.batchNormalization({ name, momentum: 0.9, epsilon: 1e-5 });
  const relu = (name: string) => tf.layers.activation({ name, activation: 'relu' });

  const block = (x: tf.SymbolicTensor, name: string, filters: number, strides: number): tf.SymbolicTensor => {
    const main = b.chain(x, [
      conv(`${name}_conv1`, filters, 3, strides),
      bn(`${name}_bn1`),
      relu(`${name}_relu1`),
      conv(`${name}_conv2`, filters, 3),
      bn(`${name}_bn2`),
    ]);
    const inFilters = x.shape[3];
    const shortcut =
      strides === 1 && inFilters === filters
        ? x
        : b.chain(x, [conv(`${name}_proj`, filters, 1, strides), bn(`${name}_proj_bn`)]);
    const sum = b.apply(tf.layers.add({ name: `${name}_add` }), [main, shortcut]);
    return b.apply(relu(`${name}_out`), sum);
  };

  const input = b.input();
  let x = b.chain(input, [
    conv('conv1', 64 * width, 7, 2),
    bn('bn1'),
    relu('relu1'),
    tf.layers.maxPooling2d({ name: 'pool1', poolSize: 3, strides: 2, padding: 'same' }),
  ]);
  const stages = [64, 128, 256, 512].map((filters) => filters * width);
  stages.forEach((filters, s) => {
    x = block(x, `stage${s + 1}_block1`, filters, s === 0 ? 1 : 2);
    x = block(x, `stage${s + 1}_block2`, filters, 1);
  });
  const output = b.chain(x, [
    tf.layers.globalAveragePooling2d({ name: 'avg_pool' }),
    tf.layers.dense({ name: 'predictions', units: b.ctx.classes, activation: 'softmax', kernelInitializer: b.glorot() }),
  ]);
  return b.finish(input, output);
}
