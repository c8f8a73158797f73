// Mixed precision's bf16 activations (src/activation_storage.ts): in bf16 mode convolutions write
// their outputs as bf16, and BatchNorm, ReLU, residual adds and pooling pass bf16 on, forward and
// backward. Checked against the CPU backend's f32 results with a bf16 tolerance, and for where the
// values are held: the tensors between those kernels must really be bf16, every other reader must
// get float32 values.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {setPrecision} from '../src/index';
import {holdsBf16, isMixedPrecision} from '../src/activation_storage';
import {Backend} from '../src/kernels/kernel_util';
import {ONEDNN_BATCH_NORM_TRAINING_GRAD, ONEDNN_MOMENTS} from '../src/kernels/OnednnBatchNormTraining';
import {ONEDNN_RELU_GRAD} from '../src/kernels/OnednnReluGrad';
import {MaxPoolGrad} from '@tensorflow/tfjs-core';
import {inBf16, relativeL2, runOn, skipWithoutBf16, tf} from './helpers';

const skip = skipWithoutBf16;

const bf16Held = (t: tf.Tensor) => holdsBf16(tf.backend() as Backend, t);


/** bf16's rounding of v (to nearest even), as float32. */
function toBf16(v: number): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer);
  u[0] = ((u[0] + 0x7fff + ((u[0] >>> 16) & 1)) >>> 16) << 16;
  return f[0];
}

/** A residual block as tf.layers trains one: conv → BatchNorm (batch statistics) → ReLU → conv → BN → + x → ReLU. */
function residualBlock(x: tf.Tensor4D, f1: tf.Tensor4D, f2: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor4D {
  const bn = (t: tf.Tensor4D) => {
    const {mean, variance} = tf.moments(t, [0, 1, 2]);
    return tf.batchNorm(t, mean, variance, beta, gamma, 1e-3);
  };
  const a = tf.relu(bn(tf.conv2d(x, f1, 1, 'same')));
  const b = bn(tf.conv2d(a, f2, 1, 'same'));
  return tf.relu(tf.add(b, x));
}

function blockInputs() {
  return {
    x: tf.randomNormal([8, 12, 10, 16], 0, 1, 'float32', 1) as tf.Tensor4D,
    f1: tf.randomNormal([3, 3, 16, 16], 0, 0.2, 'float32', 2) as tf.Tensor4D,
    f2: tf.randomNormal([3, 3, 16, 16], 0, 0.2, 'float32', 3) as tf.Tensor4D,
    gamma: tf.randomUniform([16], 0.5, 1.5, 'float32', 4) as tf.Tensor1D,
    beta: tf.randomNormal([16], 0, 0.1, 'float32', 5) as tf.Tensor1D,
  };
}

test('a residual block (conv, BatchNorm in training, ReLU, add) and every gradient match f32 within bf16 precision', {skip}, () => {
  const results = (backend: string) => inBf16(() => runOn(backend, () => {
    const {x, f1, f2, gamma, beta} = blockInputs();
    const weight = tf.randomNormal([8, 12, 10, 16], 0, 1, 'float32', 6);
    const loss = (...v: tf.Tensor[]) =>
        residualBlock(v[0] as tf.Tensor4D, v[1] as tf.Tensor4D, v[2] as tf.Tensor4D, v[3] as tf.Tensor1D, v[4] as tf.Tensor1D)
            .mul(weight).sum();
    return [residualBlock(x, f1, f2, gamma, beta), ...tf.grads(loss)([x, f1, f2, gamma, beta])];
  }));
  // ReLUs of values within bf16's rounding of 0 land on either side, and BatchNorm's backward over a
  // small batch amplifies that: with float32 activations (only the convolutions' inputs in bf16) the
  // gradients here are already 1.6e-2 to 4e-2 off in L2; bf16 activations give the same. Each bf16
  // kernel is checked exactly in the next test.
  const bf16 = results('onednn'), f32 = results('cpu');
  tf.setBackend('onednn');
  const names = ['output', 'dx', 'dFilter1', 'dFilter2', 'dGamma', 'dBeta'];
  f32.forEach((expected, i) => {
    const error = relativeL2(bf16[i], expected);
    assert.ok(error > 0 && error <= 6e-2, `${names[i]}: relative L2 error ${error}`);
  });
});

/**
 * x's values rounded to bf16, held as a bf16 activation (a 1×1 identity convolution in bf16 mode
 * writes them exactly); in float32 mode the same values as float32.
 */
function asBf16(x: tf.Tensor4D): tf.Tensor4D {
  const c = x.shape[3];
  const rounded = tf.tensor4d(Float32Array.from(x.dataSync(), toBf16), x.shape);
  const held = tf.conv2d(rounded, tf.eye(c).reshape([1, 1, c, c]) as tf.Tensor4D, 1, 'valid');
  assert.equal(bf16Held(held), isMixedPrecision());
  return held;
}

test('each bf16 kernel gives its float32 result on the same values, rounded once to bf16', {skip}, () => {
  tf.setBackend('onednn');
  const shape: [number, number, number, number] = [3, 10, 9, 24];
  const source = [0, 1, 2].map(i => tf.randomNormal(shape, 0, 1, 'float32', 40 + i) as tf.Tensor4D);
  const scale = tf.randomUniform([24], 0.5, 2, 'float32', 50), offset = tf.randomNormal([24], 0, 1, 'float32', 51);
  const poolAttrs = {filterSize: [3, 3], strides: [2, 2], pad: 'same', dimRoundingMode: undefined};
  // Each case: its outputs computed from three activations (a, b, c), and which outputs are activations.
  const cases: Array<{name: string, run: (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor4D) => tf.Tensor[], roundings?: number}> = [
    {name: 'Relu', run: a => [tf.relu(a)]},
    {name: 'Add', run: (a, b) => [tf.add(a, b)]},
    {name: 'Sub, Mul (read bf16, write float32)', run: (a, b) => [tf.sub(a, b), tf.mul(a, b)]},
    {name: 'Sigmoid (reads bf16, writes float32)', run: a => [tf.sigmoid(a)]},
    {name: 'OnednnReluGrad', run: (a, b) => [tf.engine().runKernel(ONEDNN_RELU_GRAD, {dy: a, x: b}) as tf.Tensor]},
    {name: 'OnednnMoments', run: a => tf.engine().runKernel(ONEDNN_MOMENTS, {x: a}) as tf.Tensor[]},
    {name: 'FusedBatchNorm', run: a => {
      const [mean, variance] = tf.engine().runKernel(ONEDNN_MOMENTS, {x: a}) as tf.Tensor[];
      return [tf.batchNorm(a, mean, variance, offset, scale, 1e-3)];
    }},
    {name: 'OnednnBatchNormTrainingGrad', run: (a, b) => {
      const [mean, variance] = tf.engine().runKernel(ONEDNN_MOMENTS, {x: a}) as tf.Tensor[];
      return tf.engine().runKernel(ONEDNN_BATCH_NORM_TRAINING_GRAD, {x: a, dy: b, mean, variance, scale},
                                   {varianceEpsilon: 1e-3}) as tf.Tensor[];
    }},
    {name: 'Sum, Mean (a bias gradient, global average pooling)', run: a => [tf.sum(a, [0, 1, 2]), tf.mean(a, [0, 1, 2]), tf.mean(a, [1, 2])]},
    {name: 'MaxPool', run: a => [tf.maxPool(a, 3, 2, 'same')]},
    {name: 'MaxPoolGrad', run: (a, b) => {
      const y = tf.maxPool(a, 3, 2, 'same');
      const dy = tf.slice(b, [0, 0, 0, 0], y.shape);
      return [tf.engine().runKernel(MaxPoolGrad, {dy: asBf16(dy as tf.Tensor4D), input: a, output: y}, poolAttrs as never) as tf.Tensor];
    }, roundings: 4},  // oneDNN adds the gradients of overlapping windows (up to 4 here) in bf16
  ];
  for (const {name, run, roundings = 1} of cases) {
    const [inBf16Mode, held] = inBf16(() => {
      const outs = run(...(source.map(asBf16) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]));
      const bf16 = outs.map(bf16Held);  // (the bf16 copy outlives reading)
      return [outs.map(t => t.dataSync() as Float32Array), bf16];
    });
    const expected = run(...(source.map(asBf16) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D])).map(t => t.dataSync() as Float32Array);
    expected.forEach((want, j) => {
      const got = inBf16Mode[j];
      assert.equal(got.length, want.length, name);
      let worst = 0;
      for (let i = 0; i < want.length; i++) {
        // Held as bf16: the float32 result rounded (one bf16 step where float32 rounding differs); else float32's own.
        const target = held[j] ? toBf16(want[i]) : want[i];
        worst = Math.max(worst, Math.abs(got[i] - target) / Math.max(Math.abs(want[i]), 1e-2));
      }
      assert.ok(worst <= (held[j] ? roundings * 2 ** -8 : 1e-5), `${name} output ${j}: worst relative difference ${worst}`);
    });
  }
});

test('the tensors between the kernels are bf16 in bf16 mode, and float32 in float32 mode', {skip}, () => {
  tf.setBackend('onednn');
  const held = (bf16: boolean) => tf.tidy(() => {
    if (bf16) setPrecision('bfloat16');
    try {
      const {x, f1, gamma, beta} = blockInputs();
      const y = tf.conv2d(x, f1, 1, 'same');
      const {mean, variance} = tf.moments(y, [0, 1, 2]);
      const normalized = tf.batchNorm(y, mean, variance, beta, gamma, 1e-3);
      const relu = tf.relu(normalized);
      const sum = tf.add(relu, y);
      const pooled = tf.maxPool(sum, 2, 2, 'same');
      const dx = tf.grad((t: tf.Tensor) => tf.conv2d(t as tf.Tensor4D, f1, 1, 'same').sum())(x);
      return {
        activations: [y, normalized, relu, sum, pooled, dx].map(bf16Held),
        statistics: [mean, variance].map(bf16Held),
        input: bf16Held(x),
      };
    } finally {
      setPrecision('float32');
    }
  });
  const bf16 = held(true);
  assert.deepEqual(bf16.activations, [true, true, true, true, true, true]);
  assert.deepEqual(bf16.statistics, [false, false], 'BatchNorm statistics stay float32');
  assert.equal(bf16.input, false, 'the pictures stay float32');
  assert.deepEqual(held(false).activations, [false, false, false, false, false, false]);
});

test('any other reader gets float32 values: dataSync, CPU kernels, broadcasting, float32 mode afterwards', {skip}, () => {
  tf.setBackend('onednn');
  const {x, f1} = blockInputs();
  const y = inBf16(() => tf.conv2d(x, f1, 1, 'same'));
  // The convolution of the bf16-rounded inputs, in f32 on the CPU backend, rounded once to bf16:
  // what is stored, up to one bf16 step where the accumulation order moves a value across a rounding boundary.
  const round = (t: tf.Tensor) => tf.tensor(Float32Array.from(t.dataSync(), toBf16), t.shape);
  const exact = runOn('cpu', () => tf.conv2d(round(x) as tf.Tensor4D, round(f1) as tf.Tensor4D, 1, 'same'))[0];
  tf.setBackend('onednn');
  let worst = 0;
  const read = y.dataSync() as Float32Array;
  for (let i = 0; i < read.length; i++) worst = Math.max(worst, Math.abs(read[i] - toBf16(exact[i])) / Math.max(1e-3, Math.abs(exact[i])));
  assert.ok(worst <= 2 ** -7, `dataSync: worst ${worst}`);
  for (const v of read) assert.equal(v, toBf16(v), 'a value with more than bf16\'s bits');
  assert.equal(bf16Held(y), true, 'read once, it keeps its bf16 values for the kernels that read them');

  const z = inBf16(() => tf.conv2d(x, f1, 1, 'same'));
  assert.equal(bf16Held(z), true);
  // A CPU kernel (Sin), a broadcast add, and a convolution in float32 mode all read the same values.
  const expected = z.dataSync() as Float32Array;
  const z2 = inBf16(() => tf.conv2d(x, f1, 1, 'same'));
  const sin = inBf16(() => tf.sin(z2).dataSync());
  assert.deepEqual(Array.from(sin), Array.from(expected, v => Math.fround(Math.sin(v))));
  const z3 = inBf16(() => tf.conv2d(x, f1, 1, 'same'));
  const shifted = inBf16(() => tf.add(z3, tf.ones([16])).dataSync());
  assert.deepEqual(Array.from(shifted), Array.from(expected, v => Math.fround(v + 1)));
  const z4 = inBf16(() => tf.conv2d(x, f1, 1, 'same'));
  const again = tf.conv2d(z4, f1, 1, 'same').dataSync();
  const reference = runOn('cpu', () => tf.conv2d(tf.tensor4d(expected, z.shape as [number, number, number, number]), f1, 1, 'same'))[0];
  tf.setBackend('onednn');
  let err = 0;
  for (let i = 0; i < again.length; i++) err = Math.max(err, Math.abs(again[i] - reference[i]));
  assert.ok(err < 1e-4, `float32 convolution of a bf16 activation: ${err}`);
  tf.dispose([x, f1, y, z, z2, z3, z4]);
});

test('bf16 activations keep NaN and infinities, and round to nearest even', {skip}, () => {
  tf.setBackend('onednn');
  // BatchNorm of a bf16 activation of zeros with these offsets writes them as bf16.
  const values = [NaN, Infinity, -Infinity, 0, -1.5, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4e38, 65504.5];
  const stored = inBf16(() => {
    const zeros = tf.conv2d(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, tf.ones([1, 1, 1, values.length]) as tf.Tensor4D, 1, 'valid');
    const out = tf.batchNorm(zeros, tf.zeros([values.length]), tf.ones([values.length]), tf.tensor1d(values), undefined, 0);
    assert.equal(bf16Held(out), true);
    return out.dataSync().slice(0, values.length);
  });
  assert.ok(Number.isNaN(stored[0]));
  assert.deepEqual(Array.from(stored.slice(1)), values.slice(1).map(toBf16));
  assert.equal(stored[5], 1, 'a tie rounds to even (down)');
  assert.equal(stored[6], 1 + 2 ** -6, 'a tie rounds to even (up)');
  assert.equal(stored[7], Infinity, 'above bf16\'s largest finite value');
});
