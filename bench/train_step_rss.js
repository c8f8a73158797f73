// Peak RSS of a process that trains `steps` steps of an imgclass network through stock tf.layers
// (trainOnBatch, tf.train.adam) on random data — compiled JavaScript, as a user's program runs
// (bench/vs-pytorch.ts itself runs under tsx, whose TypeScript loader adds ~70 MB). Needs `npm run build`.
//   node bench/train_step_rss.js NETWORK SIZE BATCH PRECISION STEPS
// Prints {"peak_rss_mb": N}.
'use strict';
const tf = require('@tensorflow/tfjs');
const onednn = require('../packages/tfjs-backend-onednn/dist/index');
const {buildModel} = require('../packages/imgclass/dist/models');

async function main() {
  const [network, size, batch, precision, steps] = process.argv.slice(2);
  await tf.setBackend('onednn');
  onednn.setPrecision(precision);
  const model = buildModel(network, {size: Number(size), classes: 2, seed: 1});
  model.compile({optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy'});
  const xs = tf.randomNormal([Number(batch), Number(size), Number(size), 3], 0, 1, 'float32', 1);
  const ys = tf.tensor1d(Array.from({length: Number(batch)}, (_, i) => i % 2), 'float32');
  for (let i = 0; i < Number(steps); i++) await model.trainOnBatch(xs, ys);
  console.log(JSON.stringify({peak_rss_mb: peakRssMb()}));
}

/** Linux's VmHWM: it starts afresh at exec, where maxRSS can carry the spawning parent's high-water mark. */
function peakRssMb() {
  try {
    const line = require('fs').readFileSync('/proc/self/status', 'utf8').split('\n').find(l => l.startsWith('VmHWM:'));
    if (line) return Math.round(Number(line.split(/\s+/)[1]) / 1024);
  } catch {}
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
main();
