// Backend benchmark: the seed's LeNet-5 (150x150x3, batch 32, Adam, tf.layers) on 'onednn'
// and on tfjs's pure-JS 'cpu' backend, and ResNet-18 (BatchNorm) at 128x128 on 'onednn'.
// LeNet-5 on 'onednn' runs twice: in float32 (the default) and in mixed precision (bfloat16
// convolutions, f32 weights), where the CPU has bf16 instructions. Prints one JSON line per figure.
//   node --import tsx bench/backend.ts [--steps 10] [--runs 5] [--skip-cpu] [--skip-resnet] [--skip-bf16]
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {info, Precision, setPrecision, startKernelProfile, stopKernelProfile, supportsBfloat16} from '../packages/tfjs-backend-onednn/src/index';
import {lenet5, resnet18} from '../packages/imgclass/src/models';

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

async function benchLenet5(backend: string, batch: number, steps: number, runs: number, precision: Precision = 'float32') {
  await tf.setBackend(backend);
  if (backend === 'onednn') setPrecision(precision);
  const model = lenet5({size: 150, classes: 2, seed: 1});
  model.compile({optimizer: 'adam', loss: 'sparseCategoricalCrossentropy'});
  const xs = tf.randomNormal([batch, 150, 150, 3], 0, 1, 'float32', 1);
  const ys = tf.tensor1d(Array.from({length: batch}, (_, i) => i % 2), 'float32');
  const train = await measure(async () => { await model.trainOnBatch(xs, ys); }, batch, steps, runs);
  emit({bench: 'lenet5_train', backend, precision, batch, steps, images_per_s: +train.median.toFixed(2), runs: train.runs});
  const infer = await measure(async () => {
    const y = model.predict(xs) as tf.Tensor;
    await y.data();
    y.dispose();
  }, batch, steps, runs);
  emit({bench: 'lenet5_predict', backend, precision, batch, steps, images_per_s: +infer.median.toFixed(2), runs: infer.runs});
  emit({bench: 'lenet5_memory', backend, precision, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024)});
  if (backend === 'onednn') await breakdown(model, xs, ys, precision);
  if (backend === 'onednn') setPrecision('float32');
  tf.dispose([xs, ys]);
  model.dispose();
}

/** ResNet-18 with BatchNorm at 128x128: training images/s (no target yet). */
async function benchResnet18(steps: number, runs: number, precision: Precision = 'float32') {
  await tf.setBackend('onednn');
  setPrecision(precision);
  const batch = 16;
  const model = resnet18({size: 128, classes: 2, seed: 1});
  model.compile({optimizer: 'adam', loss: 'sparseCategoricalCrossentropy'});
  const xs = tf.randomNormal([batch, 128, 128, 3], 0, 1, 'float32', 2);
  const ys = tf.tensor1d(Array.from({length: batch}, (_, i) => i % 2), 'float32');
  const train = await measure(async () => { await model.trainOnBatch(xs, ys); }, batch, Math.max(1, steps / 2), runs);
  emit({bench: 'resnet18_128_train', backend: 'onednn', precision, batch, images_per_s: +train.median.toFixed(2), runs: train.runs,
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024)});
  setPrecision('float32');
  tf.dispose([xs, ys]);
  model.dispose();
}

const CATEGORIES: Array<[string, RegExp]> = [
  ['conv_forward', /^(Conv2D|FusedConv2D|OnednnTrainingConv2D|DepthwiseConv2dNative|FusedDepthwiseConv2D)$/],
  ['conv_backward_data', /^(Conv2DBackpropInput|DepthwiseConv2dNativeBackpropInput)$/],
  ['conv_backward_weights', /^(Conv2DBackpropFilter|DepthwiseConv2dNativeBackpropFilter)$/],
  ['matmul', /^(BatchMatMul|_FusedMatMul)$/],
  ['pooling', /Pool/],
];

/** ms per training step in each kind of work; "other" is the framework's own overhead. */
async function breakdown(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor, precision: Precision) {
  const steps = 3;
  const optimizer = model.optimizer;
  const applyGradients = optimizer.applyGradients.bind(optimizer);
  let optimizerMs = 0;
  optimizer.applyGradients = (g: Parameters<typeof applyGradients>[0]) => {
    const start = process.hrtime.bigint();
    applyGradients(g);
    optimizerMs += Number(process.hrtime.bigint() - start) / 1e6;
  };
  startKernelProfile();
  const start = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
  const stepMs = Number(process.hrtime.bigint() - start) / 1e6 / steps;
  const kernels = stopKernelProfile();
  optimizer.applyGradients = applyGradients;
  const ms: {[category: string]: number} = {};
  for (const [name, t] of Object.entries(kernels)) {
    const category = CATEGORIES.find(([, re]) => re.test(name))?.[0] ?? 'elementwise';
    ms[category] = (ms[category] ?? 0) + t.ms / steps;
  }
  ms.optimizer = optimizerMs / steps;
  const accounted = Object.values(ms).reduce((a, b) => a + b, 0);
  ms.other = Math.max(0, stepMs - accounted);
  const rounded = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, +v.toFixed(2)]));
  emit({bench: 'lenet5_step_breakdown_ms', backend: 'onednn', precision, batch: BATCH, step_ms: +stepMs.toFixed(2), ...rounded});
}

async function main() {
  emit({bench: 'machine', cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), ...info(), node: process.version,
        tfjs: tf.version.tfjs});
  await benchLenet5('onednn', BATCH, STEPS, RUNS);
  if (!args.includes('--skip-bf16') && supportsBfloat16()) await benchLenet5('onednn', BATCH, STEPS, RUNS, 'bfloat16');
  if (!args.includes('--skip-resnet')) {
    await benchResnet18(STEPS, RUNS);
    if (!args.includes('--skip-bf16') && supportsBfloat16()) await benchResnet18(STEPS, RUNS, 'bfloat16');
  }
  // The pure-JS backend needs minutes per batch of 32: one small batch gives its rate.
  if (!args.includes('--skip-cpu')) await benchLenet5('cpu', 2, 1, 1);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
