// Backend benchmark: the seed's LeNet-5 (150x150x3, batch 32, Adam, tf.layers) on 'onednn'
// and on tfjs's pure-JS 'cpu' backend. Prints one JSON line per figure.
//   node --import tsx bench/backend.ts [--steps 20] [--runs 5] [--skip-cpu]
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {info} from '../packages/tfjs-backend-onednn/src/index';
import {seedLenet5} from './seed_lenet5';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STEPS = flag('--steps', 10);
const RUNS = flag('--runs', 5);
const BATCH = 32;

function emit(record: object) {
  console.log(JSON.stringify(record));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Images/s of `steps` calls of `f` on a batch of `batch`, median over `runs`. */
async function measure(f: () => Promise<void>, batch: number, steps: number, runs: number) {
  await f();  // warm-up: primitive creation, optimizer slots
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    for (let s = 0; s < steps; s++) await f();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(batch * steps / seconds);
  }
  return {median: median(rates), runs: rates.map(r => +r.toFixed(2))};
}

async function benchBackend(backend: string, batch: number, steps: number, runs: number) {
  await tf.setBackend(backend);
  const model = seedLenet5();
  model.compile({optimizer: 'adam', loss: 'sparseCategoricalCrossentropy'});
  const xs = tf.randomNormal([batch, 150, 150, 3], 0, 1, 'float32', 1);
  const ys = tf.tensor1d(Array.from({length: batch}, (_, i) => i % 2), 'float32');
  const train = await measure(async () => { await model.trainOnBatch(xs, ys); }, batch, steps, runs);
  emit({bench: 'lenet5_train', backend, batch, steps, images_per_s: +train.median.toFixed(2), runs: train.runs});
  const infer = await measure(async () => {
    const y = model.predict(xs) as tf.Tensor;
    await y.data();
    y.dispose();
  }, batch, steps, runs);
  emit({bench: 'lenet5_predict', backend, batch, steps, images_per_s: +infer.median.toFixed(2), runs: infer.runs});
  emit({bench: 'lenet5_memory', backend, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024)});
  tf.dispose([xs, ys]);
  model.dispose();
}

async function main() {
  emit({bench: 'machine', cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), ...info(), node: process.version,
        tfjs: tf.version.tfjs});
  await benchBackend('onednn', BATCH, STEPS, RUNS);
  // The pure-JS backend needs minutes per batch of 32: one small batch gives its rate.
  if (!args.includes('--skip-cpu')) await benchBackend('cpu', 2, 1, 1);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
