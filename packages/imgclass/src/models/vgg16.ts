import * as tf from '@tensorflow/tfjs';
import { NetBuilder } from './net-builder';

/**
 * VGG-16 (Simonyan & Zisserman 2014, configuration D): five blocks of 3×3
 * convolutions (64, 128, 256, 512, 512 filters; 2, 2, 3, 3, 3 layers) each
 * ending in a 2×2/2 max-pool, then dense 4096 → 4096 → classes with dropout
 * 0.5. The pools are VALID as in Keras, so 32×32 is the smallest input.
 */
export function buildVgg16(b: NetBuilder): tf.LayersModel {
  const blocks: [filters: number, convs: number][] = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]];
  const layers: tf.layers.Layer[] = [];
  blocks.forEach(([filters, convs], i) => {
    for (let c = 1; c <= convs; c++) {
      layers.push(
        tf.layers.conv2d({
          name: `block${i + 1}_conv${c}`,
          filters,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: b.he(),
        }),
      );
    }
    layers.push(tf.layers.maxPooling2d({ name: `block${i + 1}_pool`, poolSize: 2, strides: 2, padding: 'valid' }));
  });
  const input = b.input();
  const output = b.chain(input, [
    ...layers,
    tf.layers.flatten({ name: 'flatten' }),
    tf.layers.dense({ name: 'fc1', units: 4096, activation: 'relu', kernelInitializer: b.he() }),
    tf.layers.dropout({ name: 'drop1', rate: 0.5, seed: b.dropoutSeed() }),
    tf.layers.dense({ name: 'fc2', units: 4096, activation: 'relu', kernelInitializer: b.he() }),
    tf.layers.dropout({ name: 'drop2', rate: 0.5, seed: b.dropoutSeed() }),
    tf.layers.dense({ name: 'predictions', units: b.ctx.classes, activation: 'softmax', kernelInitializer: b.glorot() }),
  ]);
  return b.finish(input, output);
}
