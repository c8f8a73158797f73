import * as tf from '@tensorflow/tfjs';
import { lrn } from './lrn-layer';
import { NetBuilder } from './net-builder';

/** The seed's `is_lrn` settings: tf.nn.lrn(depth_radius=4, bias=1.0, alpha=0.001/9.0, beta=0.75). */
export const SEED_LRN = { depthRadius: 4, bias: 1, alpha: 0.001 / 9, beta: 0.75 } as const;

/**
 * The seed's LeNet-5: conv 5×5×6 → avg-pool 2×2/2 → conv 5×5×16 → avg-pool →
 * conv 5×5×120 → flatten → dense 84 → dense classes. ReLU after every conv
 * and after dense 84, SAME padding everywhere, optional LRN after each pool.
 * With init 'tutorial' the weights start as the seed's: truncated normal
 * stddev 1.0 for conv kernels, 0.005 for dense kernels, biases 0.1.
 */
export function buildLenet5(b: NetBuilder, options: { lrn?: boolean } = {}): tf.LayersModel {
  const tutorial = b.ctx.init === 'tutorial';
  const bias = () => (tutorial ? tf.initializers.constant({ value: 0.1 }) : tf.initializers.zeros());
  const conv = (name: string, filters: number) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 5,
      strides: 1,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tutorial ? b.truncatedNormal(1.0) : b.he(),
      biasInitializer: bias(),
    });
  const pool = (name: string) => tf.layers.averagePooling2d({ name, poolSize: 2, strides: 2, padding: 'same' });
  const maybeLrn = (name: string) => (options.lrn ? [lrn({ name, ...SEED_LRN })] : []);

  const input = b.input();
  const features = b.chain(input, [
    conv('conv1', 6),
    pool('pool1'),
    ...maybeLrn('lrn1'),
    conv('conv2', 16),
    pool('pool2'),
    ...maybeLrn('lrn2'),
    conv('conv3', 120),
    tf.layers.flatten({ name: 'flatten' }),
  ]);
  const output = b.chain(features, [
    tf.layers.dense({
      name: 'fc1',
      units: 84,
      activation: 'relu',
      kernelInitializer: tutorial ? b.truncatedNormal(0.005) : b.he(),
      biasInitializer: bias(),
    }),
    tf.layers.dense({
      name: 'fc2',
      units: b.ctx.classes,
      activation: 'softmax',
      kernelInitializer: tutorial ? b.truncatedNormal(0.005) : b.glorot(),
      biasInitializer: bias(),
    }),
  ]);
  return b.finish(input, output);
}
