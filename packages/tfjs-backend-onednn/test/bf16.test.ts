// Mixed-precision mode (setPrecision('bfloat16')): convolutions read bf16-rounded inputs and
// accumulate in f32. Checked against the CPU backend's f32 results with a bf16 tolerance
// (8 significant bits per input: relative errors of a few 1e-3), on random shapes, forward and
// gradients, and on a small network trained both ways.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {getPrecision, info, primitiveImplementations, setPrecision} from '../src/index';
import {compareWithCpu, inBf16, randInt, relativeL2, rng, runOn, skipWithoutBf16, tf} from './helpers';


const BF16_TOLERANCE = 2e-2;
const skip = skipWithoutBf16;


test('setPrecision switches the mode, reports it in info(), and rejects unknown values', {skip}, () => {
  assert.equal(getPrecision(), 'float32');
  inBf16(() => {
    assert.equal(getPrecision(), 'bfloat16');
    assert.equal(info().precision, 'bfloat16');
  });
  assert.equal(info().precision, 'float32');
  assert.throws(() => setPrecision('float16' as never), /expected 'float32' or 'bfloat16', got "float16"/);
});

test('bf16 convolutions (plain, depthwise, fused) and their gradients match f32 within bf16 precision', {skip}, () => {
  const r = rng(7);
  for (let i = 0; i < 10; i++) {
    const [n, h, w, ci, co, k] = [randInt(r, 1, 3), randInt(r, 5, 14), randInt(r, 5, 14), randInt(r, 1, 8),
                                  randInt(r, 1, 8), randInt(r, 1, 5)];
    const stride = randInt(r, 1, 2);
    const pad = r() < 0.5 ? 'same' as const : 'valid' as const;
    if (pad === 'valid' && k > Math.min(h, w)) continue;
    const name = `x[${n},${h},${w},${ci}] k${k} co${co} s${stride} ${pad}`;
    const error = inBf16(() => compareWithCpu(() => {
      const x = tf.randomNormal([n, h, w, ci], 0, 1, 'float32', 500 + i) as tf.Tensor4D;
      const f = tf.randomNormal([k, k, ci, co], 0, 1, 'float32', 600 + i) as tf.Tensor4D;
      const dwf = tf.randomNormal([k, k, ci, 2], 0, 1, 'float32', 700 + i) as tf.Tensor4D;
      const bias = tf.randomNormal([co], 0, 1, 'float32', 800 + i);
      const y = tf.conv2d(x, f, stride, pad);
      const weight = tf.randomNormal(y.shape, 0, 1, 'float32', 900 + i);
      const convGrads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad).mul(weight).sum());
      const yd = tf.depthwiseConv2d(x, dwf, stride, pad);
      const weightD = tf.randomNormal(yd.shape, 0, 1, 'float32', 1000 + i);
      const depthwiseGrads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad).mul(weightD).sum());
      return [y, ...convGrads([x, f]), yd, ...depthwiseGrads([x, dwf])];
    }));
    assert.ok(error <= BF16_TOLERANCE, `${name}: relative error ${error}`);
    assert.ok(error > 0, `${name}: bf16 gave f32's exact results, so it did not run in bf16`);
    // With a ReLU, outputs within bf16's rounding of 0 land on either side, which moves single gradient
    // elements by whole terms (a few % in L2 against f32): compare the fused kernel with the unfused
    // ops, both in bf16. They differ by one bf16 rounding: the fused kernel stores conv + bias as bf16,
    // the unfused ops store the convolution's output (a bf16 activation) and add the bias after. Where
    // conv + bias is within that rounding of 0 the ReLU goes either way, moving the bias gradient (a sum
    // over few outputs here) by whole terms: 1e-2 for one output channel.
    const reluGrads = (fusedOp: boolean) => () => {
      const x = tf.randomNormal([n, h, w, ci], 0, 1, 'float32', 500 + i) as tf.Tensor4D;
      const f = tf.randomNormal([k, k, ci, co], 0, 1, 'float32', 600 + i) as tf.Tensor4D;
      const bias = tf.randomNormal([co], 0, 1, 'float32', 800 + i);
      const weight = tf.randomNormal(tf.conv2d(x, f, stride, pad).shape, 0, 1, 'float32', 900 + i);
      const layer = (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor) => fusedOp ?
          tf.fused.conv2d({x: a, filter: b, strides: stride, pad, bias: c, activation: 'relu'}) :
          tf.relu(tf.add(tf.conv2d(a, b, stride, pad), c));
      return tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          layer(a as tf.Tensor4D, b as tf.Tensor4D, c).mul(weight).sum())([x, f, bias]);
    };
    const [fused, unfused] = inBf16(() => [runOn('onednn', reluGrads(true)), runOn('onednn', reluGrads(false))]);
    fused.forEach((g, j) => {
      const e = relativeL2(g, unfused[j]);
      assert.ok(e <= BF16_TOLERANCE, `${name} fused ReLU gradient ${j}: relative L2 error ${e}`);
    });
  }
});

test("a gradient converted once for both convolution backprops gives exactly the separate kernels' results", {skip}, () => {
  // The training convolution's gradient issues Conv2DBackpropInput, then Conv2DBackpropFilter, with one
  // dy token (the second reuses the first's bf16 copy of dy); here against the two kernels run alone.
  const grads = inBf16(() => runOn('onednn', () => {
    const x = tf.randomNormal([3, 11, 9, 5], 0, 1, 'float32', 71) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 5, 7], 0, 1, 'float32', 72) as tf.Tensor4D;
    const weight = tf.randomNormal([3, 6, 5, 7], 0, 1, 'float32', 73);
    const shared = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.fused.conv2d({x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 2, pad: 'same'}).mul(weight).sum())([x, f]);
    // Another convolution's backward-data in between must not leave its dy behind for the next one.
    tf.conv2dTranspose(tf.randomNormal([3, 6, 5, 7], 0, 1, 'float32', 74) as tf.Tensor4D, f, [3, 11, 9, 5], 2, 'same');
    const alone = [tf.conv2dTranspose(weight as tf.Tensor4D, f, [3, 11, 9, 5], 2, 'same'),
                   tf.engine().runKernel('Conv2DBackpropFilter', {x, dy: weight}, {strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 5, 7]}) as tf.Tensor];
    return [...shared, ...alone];
  }));
  assert.deepEqual(Array.from(grads[0]), Array.from(grads[2]));
  assert.deepEqual(Array.from(grads[1]), Array.from(grads[3]));
});

test('bf16 filter gradients of small outputs (im2col + matmul) match f32, on both sides of the 16-pixel limit', {skip}, () => {
  // Outputs of at most 16 pixels take native/conv.cc's im2col + matmul; larger ones oneDNN's direct
  // kernel. [n, h, w, ci, co, k, stride, pad], output pixels in the comment.
  const cases: Array<[number, number, number, number, number, number, number, 'same'|'valid']> = [
    [4, 4, 4, 24, 16, 3, 1, 'same'],   // 16: matmul
    [2, 4, 5, 9, 6, 3, 1, 'same'],     // 20: direct
    [2, 8, 7, 5, 4, 3, 2, 'same'],     // 16: matmul, stride 2 (TensorFlow's SAME: no padding on top)
    [2, 7, 8, 5, 4, 5, 1, 'valid'],    // 12: matmul, 5x5 taps
    [1, 6, 6, 3, 2, 2, 2, 'valid'],    // 9: matmul, even filter
  ];
  const before = primitiveImplementations().length;
  cases.forEach(([n, h, w, ci, co, k, stride, pad], i) => {
    const error = inBf16(() => compareWithCpu(() => {
      const x = tf.randomNormal([n, h, w, ci], 0, 1, 'float32', 50 + i) as tf.Tensor4D;
      const f = tf.randomNormal([k, k, ci, co], 0, 1, 'float32', 60 + i) as tf.Tensor4D;
      const weight = tf.randomNormal(tf.conv2d(x, f, stride, pad).shape, 0, 1, 'float32', 70 + i);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad).mul(weight).sum())([x, f]);
    }));
    assert.ok(error < BF16_TOLERANCE, `case ${i}: relative error ${error}`);
  });
  const gemm = primitiveImplementations().slice(before).filter(impl => impl.startsWith('conv_bwd_weights_gemm:'));
  assert.equal(gemm.length, 4, gemm.join(', '));
  for (const impl of gemm) {
    assert.match(impl, /bf16/, `${impl}: not a bf16 implementation`);
    assert.doesNotMatch(impl, /ref/, `${impl}: oneDNN's slow reference implementation`);
  }
});

test("LeNet-5's convolutions get bf16 kernels, none of them oneDNN's reference code", {skip}, () => {
  const before = primitiveImplementations().length;
  inBf16(() => tf.tidy(() => {
    const shapes: [number, number, number][] = [[150, 3, 6], [75, 6, 16], [38, 16, 120]];
    for (const [side, ci, co] of shapes) {
      const x = tf.randomNormal([2, side, side, ci]) as tf.Tensor4D;
      const f = tf.randomNormal([5, 5, ci, co]) as tf.Tensor4D;
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same').sum())([x, f]);
    }
  }));
  const created = primitiveImplementations().slice(before);
  assert.equal(created.length, 9, created.join(', '));
  for (const impl of created) {
    assert.match(impl, /bf16/, `${impl}: not a bf16 implementation`);
    assert.doesNotMatch(impl, /ref/, `${impl}: oneDNN's slow reference implementation`);
  }
});

test('a small convolutional network trains in bf16 as in f32 (f32 master weights)', {skip}, () => {
  const trainLosses = () => tf.tidy(() => {
    const model = tf.sequential({layers: [
      tf.layers.conv2d({inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu',
                        kernelInitializer: tf.initializers.heNormal({seed: 1})}),
      tf.layers.averagePooling2d({poolSize: 2}),
      tf.layers.conv2d({filters: 8, kernelSize: 3, padding: 'same', activation: 'relu',
                        kernelInitializer: tf.initializers.heNormal({seed: 2})}),
      tf.layers.flatten(),
      tf.layers.dense({units: 2, kernelInitializer: tf.initializers.glorotNormal({seed: 3})}),
    ]});
    const optimizer = tf.train.adam(3e-3);
    // Class 1 pictures are brighter in their left half: learnable, not trivially.
    const x = tf.randomNormal([32, 16, 16, 3], 0, 1, 'float32', 11);
    const labels = tf.tensor1d(Array.from({length: 32}, (_, i) => i % 2), 'int32');
    const shift = tf.concat([tf.ones([32, 16, 8, 3]), tf.zeros([32, 16, 8, 3])], 2).mul(labels.reshape([32, 1, 1, 1]).toFloat());
    const inputs = x.add(shift);
    const targets = tf.oneHot(labels, 2);
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(targets, model.apply(inputs) as tf.Tensor) as tf.Scalar, true);
      losses.push(loss!.dataSync()[0]);
      assert.equal(model.getWeights()[0].dtype, 'float32');
    }
    optimizer.dispose();
    model.dispose();
    return losses;
  });
  const f32 = trainLosses();
  const bf16 = inBf16(trainLosses);
  assert.ok(bf16[29] < bf16[0] * 0.5, `bf16 loss fell from ${bf16[0]} to ${bf16[29]} only`);
  assert.ok(Math.abs(bf16[29] - f32[29]) <= 0.1 * f32[0], `after 30 steps: bf16 loss ${bf16[29]}, f32 ${f32[29]}`);
  assert.notDeepEqual(bf16, f32);
});
