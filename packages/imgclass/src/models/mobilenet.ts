import * as tf from '@tensorflow/tfjs';
import { NetBuilder } from './net-builder';

/** MobileNet v1's 13 depthwise-separable blocks: [pointwise filters at width 1, depthwise stride]. */
const BLOCKS: [filters: number, stride: number][] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

/** Width multiplier α: half the channels of the full network, a quarter of its multiply-adds. */
export const MOBILENET_ALPHA = 0.5;

/**
 * The compact network for CPU training: MobileNet v1 (Howard et al. 2017) at
 * width α = 0.5. Why this one: a depthwise-separable 3×3 block costs about
 * 1/8 of a full 3×3 convolution's multiply-adds, BatchNorm lets it train at a
 * larger learning rate, and global average pooling keeps the head tiny, so it
 * has ~0.8 M parameters (LeNet-5 at 150 has 14.6 M, almost all in one dense
 * layer) for a forward cost comparable to LeNet-5's; every kernel it needs
 * (depthwise conv and its gradients, BatchNorm, ReLU6) runs natively in the
 * oneDNN backend. Unlike MobileNet v2/v3 or EfficientNet it has no
 * expand-then-project blocks, squeeze-excitation or swish, which tf.layers
 * would run as many small kernels. SAME padding: any input size works.
 */
export function buildMobilenet(b: NetBuilder): tf.LayersModel {
  const width = (filters: number) => Math.max(8, Math.round(filters * MOBILENET_ALPHA));
  const bn = (name: string) => tf.layers.batchNormalization({ name, momentum: 0.9, epsilon: 1e-3 });
  const relu6 = (name: string) => tf.layers.reLU({ name, maxValue: 6 });

  const layers: tf.layers.Layer[] = [
    tf.layers.conv2d({
      name: 'conv1',
      filters: width(32),
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      useBias: false,
      kernelInitializer: b.he(),
    }),
    bn('conv1_bn'),
    relu6('conv1_relu'),
  ];
  BLOCKS.forEach(([filters, stride], i) => {
    const name = `block${i + 1}`;
    layers.push(
      tf.layers.depthwiseConv2d({
        name: `${name}_dw`,
        kernelSize: 3,
        strides: stride,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: b.he(),
      }),
      bn(`${name}_dw_bn`),
      relu6(`${name}_dw_relu`),
      tf.layers.conv2d({
        name: `${name}_pw`,
        filters: width(filters),
        kernelSize: 1,
        padding: 'same',
        useBias: false,
        kernelInitializer: b.he(),
      }),
      bn(`${name}_pw_bn`),
      relu6(`${name}_pw_relu`),
    );
  });
  const input = b.input();
  const output = b.chain(input, [
    ...layers,
    tf.layers.globalAveragePooling2d({ name: 'avg_pool' }),
    tf.layers.dense({ name: 'predictions', units: b.ctx.classes, activation: 'softmax', kernelInitializer: b.glorot() }),
  ]);
  return b.finish(input, output);
}
