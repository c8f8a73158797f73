// Forward, backward-data and backward-weights time of one convolution for the layer shapes of
// resnet18-half and resnet18 at 128×128 (batch 32), in float32 and bf16: one JSON line each.
// The forward runs outside a gradient tape, so it is the inference forward (Winograd's where
// native/conv.cc picks it, on weights reordered once); a training step's is in bench/profile_step.ts.
//   npm run bench:conv-layers [-- --reps 20]
import * as tf from '@tensorflow/tfjs';
import {setPrecision} from '../packages/tfjs-backend-onednn/src/index';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const reps = Number(option('--reps', '20'));
// [input side, input channels, output channels, stride]; 3×3 filters, SAME padding.
const LAYERS: Array<[number, number, number, number]> = [
  [32, 32, 32, 1], [32, 32, 64, 2], [16, 64, 64, 1], [16, 64, 128, 2], [8, 128, 128, 1], [8, 128, 256, 2],
  [4, 256, 256, 1], [6, 256, 256, 1], [8, 256, 512, 2], [4, 512, 512, 1],
];

function time(run: () => tf.Tensor): number {
  for (let i = 0; i < 3; i++) run().dispose();
  const start = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) run().dispose();
  return Number(process.hrtime.bigint() - start) / 1e6 / reps;
}

for (const precision of ['float32', 'bfloat16'] as const) {
  setPrecision(precision);
  for (const [side, inChannels, outChannels, stride] of LAYERS) {
    tf.tidy(() => {
      const x = tf.randomNormal([32, side, side, inChannels]) as tf.Tensor4D;
      const filter = tf.randomNormal([3, 3, inChannels, outChannels]) as tf.Tensor4D;
      const outSide = Math.ceil(side / stride);
      const dy = tf.randomNormal([32, outSide, outSide, outChannels]) as tf.Tensor4D;
      const flop = 2 * 9 * inChannels * outChannels * outSide * outSide * 32;
      const attrs = {strides: stride, pad: 'same', dataFormat: 'NHWC'};
      const directions: Array<[string, () => tf.Tensor]> = [
        ['forward-inference', () => tf.conv2d(x, filter, stride, 'same')],
        ['backward-data', () => tf.engine().runKernel('Conv2DBackpropInput', {dy, filter}, {...attrs, inputShape: x.shape}) as tf.Tensor],
        ['backward-weights', () => tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {...attrs, filterShape: filter.shape}) as tf.Tensor],
      ];
      for (const [direction, run] of directions) {
        const ms = time(run);
        console.log(JSON.stringify({
          layer: `${side}x${side}x${inChannels}->${outChannels}/${stride}`, precision, direction,
          ms: Number(ms.toFixed(3)), gflops: Math.round(flop / ms / 1e6),
        }));
      }
    });
  }
}
