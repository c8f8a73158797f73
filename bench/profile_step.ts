// Where a LeNet-5 training step spends its time, per kernel (ms per step).
import * as tf from '@tensorflow/tfjs';
import {startKernelProfile, stopKernelProfile} from '../packages/tfjs-backend-onednn/src/index';
import {lenet5} from '../packages/imgclass/src/models';

async function main() {
  const model = lenet5({size: 150, classes: 2, seed: 1});
  model.compile({optimizer: 'adam', loss: 'sparseCategoricalCrossentropy'});
  const xs = tf.randomNormal([32, 150, 150, 3], 0, 1, 'float32', 1);
  const ys = tf.tensor1d(Array.from({length: 32}, (_, i) => i % 2), 'float32');
  for (let i = 0; i < 2; i++) await model.trainOnBatch(xs, ys);
  const steps = 5;
  startKernelProfile();
  const start = Date.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
  const total = (Date.now() - start) / steps;
  const times = stopKernelProfile();
  const rows = Object.entries(times).sort((a, b) => b[1].ms - a[1].ms);
  let kernels = 0;
  for (const [name, t] of rows) {
    kernels += t.ms;
    console.log(name.padEnd(28), (t.ms / steps).toFixed(2).padStart(8), 'ms', String(t.calls / steps).padStart(5), 'calls');
  }
  console.log('kernels total', (kernels / steps).toFixed(1), 'ms; step', total.toFixed(1), 'ms');
}
main();
