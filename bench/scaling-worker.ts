// One process of bench/scaling.ts: trains `--model` on random pictures with the training loop's
// step (trainStep, and under mpirun the data-parallel gradient exchange), then times the bare
// allreduce of the same gradient buffer. Rank 0 prints one JSON line.
import '../packages/imgclass/src/backend';
import * as tf from '@tensorflow/tfjs';
import { info } from '../packages/tfjs-backend-onednn/src/index';
import { DataParallel } from '../packages/imgclass/src/distributed/data-parallel';
import { startDataParallel } from '../packages/imgclass/src/distributed/start';
import { launchedByMpi } from '../packages/mpi/src/index';
import { buildModel } from '../packages/imgclass/src/models';
import { logitsView } from '../packages/imgclass/src/train/logits';
import { trainStep } from '../packages/imgclass/src/train/train-step';
import { shardOf } from '../packages/imgclass/src/data/batch-iterator';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const model = option('--model', 'lenet5');
const size = Number(option('--size', '150'));
const batch = Number(option('--batch', '32'));
const steps = Number(option('--steps', '20'));
const warmup = 3;

async function main() {
  const dp: DataParallel | undefined = launchedByMpi() ? startDataParallel() : undefined;
  const net = buildModel(model, { size, classes: 2, seed: 1 });
  const optimizer = tf.train.adam(1e-4);
  const variables = net.trainableWeights.map((w) => w.read() as tf.Variable);
  const parts = { model: net, logits: logitsView(net), optimizer, variables };
  const rows = dp ? shardOf(Array.from({ length: batch }, (_, i) => i), dp.shard).length : batch;
  const pixels = tf.randomNormal([rows, size, size, 3], 0, 1, 'float32', 2);
  const labels = Int32Array.from({ length: rows }, (_, i) => i % 2);
  const step = (index: number) =>
    trainStep(parts, { xs: tf.clone(pixels) as tf.Tensor4D, ys: tf.tensor1d(labels, 'int32'), labels, paths: [] }, {
      lr: 1e-4, labelSmoothing: 0, weightDecay: 0, seed: 1, step: index, exchange: dp?.exchange(false),
    });
  for (let i = 0; i < warmup; i++) step(i);
  dp?.world.barrier();
  if (dp) Object.assign(dp.times, { steps: 0, seconds: 0 });
  const started = performance.now();
  for (let i = 0; i < steps; i++) step(warmup + i);
  const seconds = (performance.now() - started) / 1000;

  // The collective alone: the same buffer, every rank entering together (no waiting for a slower rank's step).
  let bareMs: number | null = null;
  if (dp) {
    const buffer = new Float32Array(dp.times.bufferBytes / 4);
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      dp.world.barrier();
      const t = performance.now();
      dp.world.allreduce(buffer, 'sum');
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    bareMs = times[Math.floor(times.length / 2)];
  }
  if (!dp || dp.isRoot) {
    const n = dp?.size ?? 1;
    const gradientBytes = variables.reduce((b, v) => b + v.size * 4, 0);
    // Ring allreduce: each rank sends and receives 2(N−1)/N of the buffer ("bus bandwidth", as nccl-tests).
    const ringBytes = (2 * (n - 1) * gradientBytes) / n;
    console.log(JSON.stringify({
      model, size, batch, processes: n, threadsPerProcess: info().threads, steps,
      imagesPerSecond: +((batch * steps) / seconds).toFixed(1),
      stepMs: +((seconds / steps) * 1000).toFixed(1),
      gradientMB: +(gradientBytes / 1e6).toFixed(2),
      allreduceMsPerStep: dp ? +((dp.times.seconds / dp.times.steps) * 1000).toFixed(1) : null,
      allreduceAloneMs: bareMs === null ? null : +bareMs.toFixed(1),
      allreduceBusGBps: bareMs === null ? null : +(ringBytes / (bareMs / 1000) / 1e9).toFixed(2),
    }));
  }
  dp?.world.finalize();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
