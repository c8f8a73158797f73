// Where a training step (or with --predict, a batch of inference on the BatchNorm-folded network)
// spends its time, per kernel (ms per step).
//   node --import tsx bench/profile_step.ts [--model lenet5|resnet18-half|resnet18|mobilenet] [--size 128] [--bf16] [--predict] [--steps 5]
import * as tf from '@tensorflow/tfjs';
import {primitiveTime, setPrecision, startKernelProfile, stopKernelProfile} from '../packages/tfjs-backend-onednn/src/index';
import {buildModel, foldBatchNorm} from '../packages/imgclass/src/models';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};

async function main() {
  const name = option('--model', 'lenet5');
  const size = Number(option('--size', name === 'lenet5' ? '150' : '128'));
  const steps = Number(option('--steps', '5'));
  if (args.includes('--bf16')) setPrecision('bfloat16');
  const model = buildModel(name, {size, classes: 2, seed: 1});
  model.compile({optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy'});
  const xs = tf.randomNormal([32, size, size, 3], 0, 1, 'float32', 1);
  const ys = tf.tensor1d(Array.from({length: 32}, (_, i) => i % 2), 'float32');
  const inference = args.includes('--predict') ? foldBatchNorm(model) : undefined;
  const step = async () => {
    if (inference) tf.dispose(await (inference.predict(xs) as tf.Tensor).data());
    else await model.trainOnBatch(xs, ys);
  };
  for (let i = 0; i < 2; i++) await step();
  startKernelProfile();
  const start = Date.now();
  for (let i = 0; i < steps; i++) await step();
  const total = (Date.now() - start) / steps;
  const times = stopKernelProfile();
  const rows = Object.entries(times).sort((a, b) => b[1].ms - a[1].ms);
  let kernels = 0, calls = 0;
  for (const [kernel, t] of rows) {
    kernels += t.ms;
    calls += t.calls;
    console.log(kernel.padEnd(28), (t.ms / steps).toFixed(2).padStart(8), 'ms', String(t.calls / steps).padStart(5), 'calls');
  }
  const primitives = primitiveTime();
  console.log(`${name} ${size}x${size}${inference ? ' predict' : ''}: kernels total ${(kernels / steps).toFixed(1)} ms in ${calls / steps} calls` +
              ` (inside oneDNN's primitives ${(primitives.ms / steps).toFixed(1)} ms in ${primitives.calls / steps}); step ${total.toFixed(1)} ms`);
}
main();
