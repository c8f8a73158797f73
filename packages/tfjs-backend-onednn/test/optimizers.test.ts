// The fused native optimizers give the stock tfjs optimizers' results (the stock path runs
// on the CPU backend, where the fused path is off), and never change a tensor that shares a
// variable's buffer.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {relativeError, tf} from './helpers';

const STEPS = 5;

/** Trains a tiny regression with `makeOptimizer` on `backend`; returns the final weights. */
function train(backend: string, makeOptimizer: () => tf.Optimizer): Float32Array[] {
  tf.setBackend(backend);
  const w = tf.variable(tf.randomNormal([7, 3], 0, 1, 'float32', 11), true, `w_${backend}_${Math.random()}`);
  const b = tf.variable(tf.randomNormal([3], 0, 1, 'float32', 12), true, `b_${backend}_${Math.random()}`);
  const x = tf.randomNormal([16, 7], 0, 1, 'float32', 13);
  const y = tf.randomNormal([16, 3], 0, 1, 'float32', 14);
  const optimizer = makeOptimizer();
  for (let i = 0; i < STEPS; i++) {
    optimizer.minimize(() => tf.matMul(x, w).add(b).sub(y).square().mean() as tf.Scalar);
  }
  const out = [w.dataSync() as Float32Array, b.dataSync() as Float32Array];
  tf.dispose([w, b, x, y]);
  optimizer.dispose();
  tf.setBackend('onednn');
  return out;
}

const optimizers: Array<[string, () => tf.Optimizer]> = [
  ['adam', () => tf.train.adam(0.01)],
  ['adam custom betas', () => tf.train.adam(0.05, 0.8, 0.95, 1e-6)],
  ['sgd', () => tf.train.sgd(0.1)],
  ['momentum', () => tf.train.momentum(0.05, 0.9)],
  ['nesterov momentum', () => tf.train.momentum(0.05, 0.9, true)],
  ['rmsprop', () => tf.train.rmsprop(0.01, 0.9, 0.5)],
  ['centered rmsprop (stock path)', () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7, true)],
];

for (const [name, make] of optimizers) {
  test(`fused ${name} equals the stock optimizer`, () => {
    const fused = train('onednn', make);
    const stock = train('cpu', make);
    fused.forEach((values, i) => {
      const error = relativeError(values, stock[i]);
      assert.ok(error < 1e-5, `${name} weight ${i}: relative error ${error}`);
    });
  });
}

test('a clone of a variable keeps its values when the optimizer updates the variable', () => {
  tf.setBackend('onednn');
  const v = tf.variable(tf.tensor1d([1, 2, 3]));
  const snapshot = tf.clone(v);
  const optimizer = tf.train.sgd(1);
  optimizer.applyGradients({[v.name]: tf.tensor1d([1, 1, 1])});
  assert.deepEqual(Array.from(v.dataSync()), [0, 1, 2]);
  assert.deepEqual(Array.from(snapshot.dataSync()), [1, 2, 3]);
});

test('model.compile({optimizer: "adam"}) takes the fused path: same weights as on the CPU backend', async () => {
  async function fit(backend: string) {
    tf.setBackend(backend);
    const model = tf.sequential({layers: [tf.layers.dense({inputShape: [4], units: 1, kernelInitializer: 'ones'})]});
    model.compile({optimizer: 'adam', loss: 'meanSquaredError'});
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 3);
    const y = x.sum(1, true).mul(0.5);
    const before = (model.evaluate(x, y) as tf.Scalar).dataSync()[0];
    await model.fit(x, y, {epochs: 5, batchSize: 16, verbose: 0, shuffle: false});
    const after = (model.evaluate(x, y) as tf.Scalar).dataSync()[0];
    return {before, after, weights: model.getWeights().map(w => w.dataSync() as Float32Array)};
  }
  const fused = await fit('onednn');
  const stock = await fit('cpu');
  tf.setBackend('onednn');
  assert.ok(fused.after < fused.before, `loss ${fused.before} -> ${fused.after}`);
  fused.weights.forEach((w, i) => assert.ok(relativeError(w, stock.weights[i]) < 1e-5, `weight ${i}`));
});

test('an inference after a fused in-place update reads the new weights, not the reordered copy it kept', () => {
  // native/conv.cc keeps each filter's reordered copy across inferences (Winograd's transformed
  // weights here: 3×3, 64 channels, 128 tiles); writableValues forgets it before Adam writes in place.
  tf.setBackend('onednn');
  const x = tf.randomNormal([8, 16, 16, 64], 0, 1, 'float32', 21) as tf.Tensor4D;
  const filter = tf.variable(tf.randomNormal([3, 3, 64, 64], 0, 0.1, 'float32', 22), true, `filter_${Math.random()}`);
  const optimizer = tf.train.adam(0.1);
  const onCpu = () => {
    const [xs, fs] = [x.dataSync(), filter.dataSync()];
    tf.setBackend('cpu');
    const y = tf.tidy(() => tf.conv2d(tf.tensor4d(xs, x.shape), tf.tensor4d(fs, filter.shape as number[] as [number, number, number, number]), 1, 'same').dataSync());
    tf.setBackend('onednn');
    return y as Float32Array;
  };
  for (let step = 0; step < 3; step++) {
    const y = tf.tidy(() => tf.conv2d(x, filter as tf.Tensor4D, 1, 'same').dataSync()) as Float32Array;
    assert.ok(relativeError(y, onCpu()) < 1e-4, `step ${step}: the inference read stale weights`);
    optimizer.minimize(() => tf.conv2d(x, filter as tf.Tensor4D, 1, 'same').square().mean() as tf.Scalar);
  }
  tf.dispose([x, filter]);
  optimizer.dispose();
});

test('an optimizer handed its variables in another order than its slots were made for does what tfjs does, never writes past a slot', () => {
  // The stock optimizers index slots by position: trainOnBatch's variable list, then minimize()
  // over every trainable variable, pairs a variable with another's slot. tfjs's arithmetic then
  // throws (shapes differ); the fused pass must not run over the smaller slot.
  const outcome = (backend: string, makeOptimizer: () => tf.Optimizer) => {
    tf.setBackend(backend);
    const a = tf.variable(tf.ones([3]), true, `a_${Math.random()}`);
    const b = tf.variable(tf.ones([1000]), true, `b_${Math.random()}`);
    const optimizer = makeOptimizer();
    const loss = () => a.square().sum().add(b.square().sum()) as tf.Scalar;
    optimizer.minimize(loss, false, [a, b]);
    let result: string;
    try {
      optimizer.minimize(loss, false, [b, a]);
      result = `values ${Array.from(a.dataSync()).join(',')}`;
    } catch (e) {
      result = `throws ${(e as Error).message}`;
    }
    tf.dispose([a, b]);
    optimizer.dispose();
    tf.setBackend('onednn');
    return result;
  };
  for (const [name, make] of [['adam', () => tf.train.adam(0.1)], ['momentum', () => tf.train.momentum(0.1, 0.9)],
                              ['rmsprop', () => tf.train.rmsprop(0.1)]] as Array<[string, () => tf.Optimizer]>) {
    const expected = outcome('cpu', make);
    assert.match(expected, /^throws /, `${name} on the CPU backend: ${expected}`);
    assert.equal(outcome('onednn', make), expected, name);
  }
});
