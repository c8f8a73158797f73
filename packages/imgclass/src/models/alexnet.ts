import * as tf from '@tensorflow/tfjs';
import { lrn } from './lrn-layer';
import { NetBuilder } from './net-builder';

/** The AlexNet paper's LRN: k=2, n=5 (radius 2), α=1e-4, β=0.75. */
const ALEXNET_LRN = { depthRadius: 2, bias: 2, alpha: 1e-4, beta: 0.75 } as const;

/**
 * AlexNet (Krizhevsky et al. 2012) as one tower: conv 11×11/4 ×96 → LRN →
 * max-pool 3×3/2 → conv 5×5 ×256 → LRN → max-pool → conv 3×3 ×384, ×384,
 * ×256 → max-pool → dense 4096 → dense 4096 → dense classes, dropout 0.5
 * before each large dense layer. conv1 and the pools are VALID, as in the
 * paper's 227×227 arithmetic; 67×67 is the smallest input that survives.
 */
export function buildAlexnet(b: NetBuilder): tf.LayersModel {
  const conv = (name: string, filters: number, kernelSize: number, strides = 1, padding: 'same' | 'valid' = 'same') =>
    tf.layers.conv2d({ name, filters, kernelSize, strides, padding, activation: 'relu', kernelInitializer: b.he() });
  const pool = (name: string) => tf.layers.maxPooling2d({ name, poolSize: 3, strides: 2, padding: 'valid' });
  const dense = (name: string, units: number) =>
    tf.layers.dense({ name, units, activation: 'relu', kernelInitializer: b.he() });
  const dropout = (name: string) => tf.layers.dropout({ name, rate: 0.5, seed: b.dropoutSeed() });

  const input = b.input();
  const output = b.chain(input, [
    conv('conv1', 96, 11, 4, 'valid'),
    lrn({ name: 'lrn1', ...ALEXNET_LRN }),
    pool('pool1'),
    conv('conv2', 256, 5),
    lrn({ name: 'lrn2', ...ALEXNET_LRN }),
    pool('pool2'),
    conv('conv3', 384, 3),
    conv('conv4', 384, 3),
    conv('conv5', 256, 3),
    pool('pool5'),
    tf.layers.flatten({ name: 'flatten' }),
    dropout('drop6'),
    dense('fc6', 4096),
    dropout('drop7'),
    dense('fc7', 4096),
    tf.layers.dense({ name: 'fc8', units: b.ctx.classes, activation: 'softmax', kernelInitializer: b.glorot() }),
  ]);
  return b.finish(input, output);
}
