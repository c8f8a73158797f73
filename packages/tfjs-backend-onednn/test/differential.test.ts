// Native kernels against tfjs's CPU backend on random shapes, strides, paddings and dilations,
// forward and gradients. (AvgPool's gradient with padding is checked in avg_pool_grad.test.ts:
// there the CPU backend is wrong.)
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {primitiveImplementations} from '../src/index';
import {compareWithCpu, randInt, rng, tf} from './helpers';

const TOLERANCE = 1e-4;
const CASES = 12;

type Pad = 'same'|'valid';

function check(name: string, f: () => tf.Tensor|tf.Tensor[]) {
  const error = compareWithCpu(f);
  assert.ok(error <= TOLERANCE, `${name}: relative error ${error}`);
}

test('conv2d forward and gradients', () => {
  const r = rng(1);
  for (let i = 0; i < CASES; i++) {
    const [n, h, w, ci, co, k] = [randInt(r, 1, 3), randInt(r, 4, 12), randInt(r, 4, 12), randInt(r, 1, 5),
                                  randInt(r, 1, 6), randInt(r, 1, 5)];
    const stride = randInt(r, 1, 3);
    const dilation = stride === 1 ? randInt(r, 1, 2) : 1;
    const pad: Pad = r() < 0.5 ? 'same' : 'valid';
    if (pad === 'valid' && (k - 1) * dilation + 1 > Math.min(h, w)) continue;
    const name = `conv2d x[${n},${h},${w},${ci}] k${k} co${co} s${stride} d${dilation} ${pad}`;
    const make = () => {
      const x = tf.randomNormal([n, h, w, ci], 0, 1, 'float32', 1000 + i) as tf.Tensor4D;
      const f = tf.randomNormal([k, k, ci, co], 0, 1, 'float32', 1000 + i + 100) as tf.Tensor4D;
      return {x, f};
    };
    check(name, () => {
      const {x, f} = make();
      return tf.conv2d(x, f, stride, pad, 'NHWC', dilation);
    });
    // tfjs has no gradient for dilated convolutions.
    if (dilation === 1) check(`${name} grads`, () => {
      const {x, f} = make();
      const y = tf.conv2d(x, f, stride, pad, 'NHWC', dilation);
      const weight = tf.randomNormal(y.shape, 0, 1, 'float32', 1000 + i + 200);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad, 'NHWC', dilation).mul(weight).sum());
      return g([x, f]);
    });
  }
});

test("3×3 stride-1 convolutions with ≥ 64 channels run oneDNN's Winograd kernel where it pays, forward and gradients", () => {
  // native/conv.cc's UseWinograd: f32, ≥ 64 channels, and at least 32 output tiles of 4×4 (64 for
  // backward-data).
  const cases: Array<[number, number, number, number, number, Pad, boolean]> = [
    // n, h, w, ci, co, pad, bias + relu
    [8, 16, 16, 64, 64, 'same', false],   // 128 tiles: every direction
    [4, 13, 11, 64, 80, 'valid', true],   // 11×9 out, 36 tiles: all but backward-data
    [2, 9, 10, 72, 64, 'same', false],    // 18 tiles: direct everywhere
  ];
  const before = primitiveImplementations().length;
  cases.forEach(([n, h, w, ci, co, pad, fused], i) => {
    const name = `conv2d x[${n},${h},${w},${ci}] k3 co${co} ${pad}${fused ? ' bias relu' : ''}`;
    const make = () => ({
      x: tf.randomNormal([n, h, w, ci], 0, 1, 'float32', 300 + i) as tf.Tensor4D,
      f: tf.randomNormal([3, 3, ci, co], 0, 0.1, 'float32', 310 + i) as tf.Tensor4D,
      bias: tf.randomNormal([co], 0, 1, 'float32', 320 + i) as tf.Tensor1D,
    });
    const conv = (x: tf.Tensor4D, f: tf.Tensor4D, bias: tf.Tensor1D) => fused ?
        tf.fused.conv2d({x, filter: f, strides: 1, pad, bias, activation: 'relu'}) : tf.conv2d(x, f, 1, pad);
    check(name, () => {
      const {x, f, bias} = make();
      return conv(x, f, bias);
    });
    check(`${name} grads`, () => {
      const {x, f, bias} = make();
      const weight = tf.randomNormal(conv(x, f, bias).shape, 0, 1, 'float32', 330 + i);
      const loss = (a: tf.Tensor, b: tf.Tensor, c?: tf.Tensor) =>
          conv(a as tf.Tensor4D, b as tf.Tensor4D, (c ?? bias) as tf.Tensor1D).mul(weight).sum();
      return tf.grads(loss)(fused ? [x, f, bias] : [x, f]);
    });
  });
  const winograd = primitiveImplementations().slice(before).filter(impl => impl.includes('wino'));
  assert.deepEqual(winograd.map(impl => impl.split(':')[0]).sort(),
                   ['conv_bwd_data', 'conv_bwd_weights', 'conv_bwd_weights', 'conv_fwd', 'conv_fwd', 'conv_fwd', 'conv_fwd'],
                   winograd.join(', '));
});

test("forward convolutions with a 4×4 or smaller output take oneDNN's direct jit kernel, not brgconv", () => {
  // native/conv.cc's ForwardImplementation; larger outputs keep brgconv. Both as on the CPU backend.
  const cases: Array<[number, number, number, number, number, number]> = [
    // n, side, ci, co, kernel, stride → output side
    [16, 4, 48, 40, 3, 1],   // 4×4
    [16, 8, 32, 48, 3, 2],   // 4×4, stride 2
    [16, 3, 24, 32, 1, 1],   // 3×3, 1×1 kernel
    [16, 6, 32, 32, 3, 1],   // 6×6: brgconv stays
  ];
  const before = primitiveImplementations().length;
  cases.forEach(([n, side, ci, co, k, stride], i) => {
    const name = `conv2d x[${n},${side},${side},${ci}] k${k} s${stride} co${co}`;
    const make = () => ({
      x: tf.randomNormal([n, side, side, ci], 0, 1, 'float32', 340 + i) as tf.Tensor4D,
      f: tf.randomNormal([k, k, ci, co], 0, 0.1, 'float32', 350 + i) as tf.Tensor4D,
    });
    check(name, () => {
      const {x, f} = make();
      return tf.conv2d(x, f, stride, 'same');
    });
    check(`${name} grads`, () => {
      const {x, f} = make();
      const weight = tf.randomNormal(tf.conv2d(x, f, stride, 'same').shape, 0, 1, 'float32', 360 + i);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same').mul(weight).sum())([x, f]);
    });
  });
  const forward = primitiveImplementations().slice(before).filter(impl => impl.startsWith('conv_fwd:'));
  const brgconv = forward.filter(impl => impl.includes('brgconv'));
  if (forward.some(impl => impl.includes('avx512'))) {
    // Only the 6×6 case (its inference and training forward) may be brgconv.
    assert.ok(brgconv.length <= 2 && forward.length > brgconv.length, forward.join(', '));
  }
});

test('conv2dTranspose', () => {
  const r = rng(2);
  for (let i = 0; i < CASES; i++) {
    const [n, h, w, ci, co, k, stride] = [randInt(r, 1, 2), randInt(r, 2, 7), randInt(r, 2, 7),
                                          randInt(r, 1, 4), randInt(r, 1, 4), randInt(r, 1, 4), randInt(r, 1, 3)];
    const pad: Pad = r() < 0.5 ? 'same' : 'valid';
    const outShape: [number, number, number, number] = pad === 'same' ?
        [n, h * stride, w * stride, co] : [n, (h - 1) * stride + k, (w - 1) * stride + k, co];
    check(`conv2dTranspose x[${n},${h},${w},${ci}] k${k} s${stride} ${pad}`, () => {
      const x = tf.randomNormal([n, h, w, ci], 0, 1, 'float32', 1000 + i) as tf.Tensor4D;
      const f = tf.randomNormal([k, k, co, ci], 0, 1, 'float32', 1000 + i + 1) as tf.Tensor4D;
      return tf.conv2dTranspose(x, f, outShape, stride, pad);
    });
  }
});

test('depthwiseConv2d forward and gradients', () => {
  const r = rng(3);
  for (let i = 0; i < CASES; i++) {
    const [n, h, w, c, m, k] = [randInt(r, 1, 2), randInt(r, 4, 10), randInt(r, 4, 10), randInt(r, 1, 5),
                                randInt(r, 1, 3), randInt(r, 1, 4)];
    const stride = randInt(r, 1, 2);
    const dilation = stride === 1 ? randInt(r, 1, 2) : 1;
    const pad: Pad = r() < 0.5 ? 'same' : 'valid';
    if (pad === 'valid' && (k - 1) * dilation + 1 > Math.min(h, w)) continue;
    check(`depthwise x[${n},${h},${w},${c}] k${k} m${m} s${stride} d${dilation} ${pad}`, () => {
      const x = tf.randomNormal([n, h, w, c], 0, 1, 'float32', 1000 + i) as tf.Tensor4D;
      const f = tf.randomNormal([k, k, c, m], 0, 1, 'float32', 1000 + i + 1) as tf.Tensor4D;
      const y = tf.depthwiseConv2d(x, f, stride, pad, 'NHWC', dilation);
      if (dilation > 1) return y;  // tfjs has no gradient for dilated convolutions
      const weight = tf.randomNormal(y.shape, 0, 1, 'float32', 1000 + i + 2);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad, 'NHWC', dilation).mul(weight).sum());
      return [y, ...g([x, f])];
    });
  }
});

test('fused conv2d with bias and each activation', () => {
  const activations = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const;
  activations.forEach((activation, i) => {
    check(`fused conv2d ${activation}`, () => {
      const x = tf.randomNormal([2, 7, 7, 3], 0, 2, 'float32', 1000 + i) as tf.Tensor4D;
      const f = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 1000 + i + 1) as tf.Tensor4D;
      const bias = tf.randomNormal([4], 0, 1, 'float32', 1000 + i + 2);
      const preluActivationWeights = activation === 'prelu' ? tf.fill([4], 0.3) : undefined;
      return tf.fused.conv2d({x, filter: f, strides: 2, pad: 'same', bias, activation, preluActivationWeights,
                              leakyreluAlpha: 0.1});
    });
  });
});

test('fused conv2d while training: gradients of x, filter and bias for each activation', () => {
  // On onednn these record the fused kernel with its own gradient (gradients/conv2d_bias_activation.ts);
  // the CPU backend runs tfjs's unfused Conv2D + Add + activation.
  const cases = [['relu', true, 'same', 1], ['relu', true, 'valid', 2], ['relu6', true, 'valid', 2], ['linear', true, 'same', 2],
                 ['relu', false, 'valid', 1], ['linear', false, 'same', 2], ['elu', true, 'same', 1]] as const;
  cases.forEach(([activation, withBias, pad, stride], i) => {
    check(`fused conv2d ${activation} bias=${withBias} ${pad} s${stride} grads`, () => {
      const x = tf.randomNormal([2, 9, 8, 3], 0, 2, 'float32', 3000 + i) as tf.Tensor4D;
      const f = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 3100 + i) as tf.Tensor4D;
      const bias = tf.randomNormal([5], 0, 1, 'float32', 3200 + i);
      const y0 = tf.fused.conv2d({x, filter: f, strides: stride, pad, bias, activation});
      const weight = tf.randomNormal(y0.shape, 0, 1, 'float32', 3300 + i);
      const loss = (a: tf.Tensor, b: tf.Tensor, c?: tf.Tensor) => tf.fused.conv2d({
        x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: stride, pad, bias: c, activation}).mul(weight).sum();
      const {value, grads} = tf.valueAndGrads(loss)(withBias ? [x, f, bias] : [x, f]);
      return [value, ...grads];
    });
  });
});

test('tf.layers conv with ReLU trains through the fused kernel, as on the CPU backend', async () => {
  const make = () => {
    const model = tf.sequential({layers: [
      tf.layers.conv2d({inputShape: [10, 10, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu',
                        kernelInitializer: tf.initializers.glorotNormal({seed: 1})}),
      tf.layers.flatten(),
      tf.layers.dense({units: 2, kernelInitializer: tf.initializers.glorotNormal({seed: 2})}),
    ]});
    const x = tf.randomNormal([4, 10, 10, 3], 0, 1, 'float32', 7);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2);
    const loss = () => tf.losses.softmaxCrossEntropy(labels, model.apply(x) as tf.Tensor) as tf.Scalar;
    return {model, loss};
  };
  check('conv layer variable gradients', () => {
    const {model, loss} = make();
    const {grads} = tf.variableGrads(loss, model.trainableWeights.map(w => (w as unknown as {val: tf.Variable}).val));
    return Object.values(grads);
  });
  tf.setBackend('onednn');
  const {model, loss} = make();
  const profile = await tf.profile(() => tf.variableGrads(loss).value);
  const kernels = profile.kernels.map(k => k.name);
  assert.ok(kernels.includes('OnednnTrainingConv2D'), `kernels run: ${kernels.join(', ')}`);
  assert.ok(!kernels.includes('Conv2D') && !kernels.includes('Relu'), `kernels run: ${kernels.join(', ')}`);
  model.dispose();
});

test("a convolution without bias or activation (conv → BatchNorm) never computes the pictures' gradient", async () => {
  tf.setBackend('onednn');
  const conv = tf.layers.conv2d({filters: 4, kernelSize: 3, useBias: false, kernelInitializer: tf.initializers.glorotNormal({seed: 1})});
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 9);
  const loss = () => (conv.apply(x) as tf.Tensor).square().sum() as tf.Scalar;
  loss();
  const profile = await tf.profile(() => tf.variableGrads(loss).value);
  const kernels = profile.kernels.map(k => k.name);
  assert.ok(kernels.includes('OnednnTrainingConv2D') && kernels.includes('Conv2DBackpropFilter'), `kernels run: ${kernels.join(', ')}`);
  assert.ok(!kernels.includes('Conv2DBackpropInput'), `kernels run: ${kernels.join(', ')}`);
  conv.dispose();
  x.dispose();
});

test('gather along the first axis (rows copied whole), other axes and bad indices as the CPU kernel', () => {
  check('gather rows', () => {
    const x = tf.randomNormal([5, 4, 3, 2], 0, 1, 'float32', 41);
    const v = tf.randomNormal([7], 0, 1, 'float32', 42);
    return [tf.gather(x, tf.tensor1d([4, 0, 0, 2], 'int32')), tf.gather(x, tf.tensor2d([[1, 3], [3, 1]], [2, 2], 'int32')),
            tf.gather(v, tf.tensor1d([6, 5, 0], 'int32')), tf.gather(x, tf.tensor1d([2, 0], 'int32'), 2)];
  });
  tf.setBackend('onednn');
  const x = tf.ones([3, 2]);
  assert.throws(() => tf.gather(x, tf.tensor1d([3], 'int32')), /not in \[0, 2\]/);
  x.dispose();
});

test('pooling forward; max-pool and valid avg-pool gradients', () => {
  const r = rng(4);
  for (let i = 0; i < CASES; i++) {
    const [n, h, w, c, k, stride] = [randInt(r, 1, 3), randInt(r, 3, 11), randInt(r, 3, 11), randInt(r, 1, 5),
                                     randInt(r, 1, 4), randInt(r, 1, 3)];
    const pad: Pad = r() < 0.5 ? 'same' : 'valid';
    if (pad === 'valid' && k > Math.min(h, w)) continue;
    const name = `pool x[${n},${h},${w},${c}] k${k} s${stride} ${pad}`;
    check(name, () => {
      const x = tf.randomNormal([n, h, w, c], 0, 1, 'float32', 1000 + i) as tf.Tensor4D;
      const gMax = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, k, stride, pad).square().sum());
      const out = [tf.avgPool(x, k, stride, pad), tf.maxPool(x, k, stride, pad), gMax(x)];
      // Without padding the CPU backend's AvgPoolGrad is right, so it is a valid reference.
      if (pad === 'valid') {
        out.push(tf.grad((a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, k, stride, pad).square().sum())(x));
      }
      return out;
    });
  }
});

test('matmul: transposes, batch broadcasting, fused bias and activation, gradients', () => {
  const r = rng(5);
  for (let i = 0; i < CASES; i++) {
    const [batch, m, k, n] = [randInt(r, 1, 3), randInt(r, 1, 20), randInt(r, 1, 20), randInt(r, 1, 20)];
    const ta = r() < 0.5, tb = r() < 0.5, broadcastB = r() < 0.3;
    check(`matmul b${batch} ${m}x${k}x${n} ta=${ta} tb=${tb} bcast=${broadcastB}`, () => {
      const a = tf.randomNormal(ta ? [batch, k, m] : [batch, m, k], 0, 1, 'float32', 1000 + i);
      const bShape = tb ? [n, k] : [k, n];
      const b = tf.randomNormal(broadcastB ? bShape : [batch, ...bShape], 0, 1, 'float32', 1000 + i + 1);
      const out = tf.matMul(a, b, ta, tb);
      if (broadcastB) return out;  // tfjs's matMul gradient doesn't reduce a broadcast batch
      const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).square().sum());
      return [out, ...g([a, b])];
    });
  }
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const) {
    check(`fused matMul ${activation}`, () => {
      const a = tf.randomNormal([6, 9], 0, 1, 'float32', 1000 + 1) as tf.Tensor2D;
      const b = tf.randomNormal([9, 5], 0, 1, 'float32', 1000 + 2) as tf.Tensor2D;
      const bias = tf.randomNormal([5], 0, 1, 'float32', 1000 + 3);
      const preluActivationWeights = activation === 'prelu' ? tf.fill([5], 0.2) : undefined;
      const g = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.fused.matMul({
        a: x as tf.Tensor2D, b: y as tf.Tensor2D, bias: z, activation, preluActivationWeights,
      }).square().sum());
      return [tf.fused.matMul({a, b, bias, activation, preluActivationWeights}), ...g([a, b, bias])];
    });
  }
});

test('LRN forward and gradient', () => {
  const r = rng(6);
  for (let i = 0; i < CASES / 2; i++) {
    const [h, c, radius] = [randInt(r, 2, 6), randInt(r, 1, 12), randInt(r, 1, 5)];
    const bias = 0.5 + r(), alpha = r(), beta = 0.25 + r() / 2;
    check(`lrn c${c} r${radius}`, () => {
      const x = tf.randomNormal([2, h, h, c], 0, 1, 'float32', 1000 + i) as tf.Tensor4D;
      const g = tf.grad((a: tf.Tensor) => tf.localResponseNormalization(a as tf.Tensor4D, radius, bias, alpha, beta)
                                               .mul(tf.randomNormal(a.shape, 0, 1, 'float32', 1000 + 9)).sum());
      return [tf.localResponseNormalization(x, radius, bias, alpha, beta), g(x)];
    });
  }
});

test('elementwise, activations, reductions, softmax and batchnorm with their gradients', () => {
  const unary: Array<(x: tf.Tensor) => tf.Tensor> = [
    tf.relu, tf.relu6, tf.elu, x => tf.leakyRelu(x, 0.3), tf.sigmoid, tf.tanh, x => tf.step(x, 0.1), tf.neg,
    tf.square, x => tf.sqrt(tf.abs(x)), x => tf.rsqrt(tf.abs(x).add(1)), tf.exp, x => tf.log(tf.abs(x).add(0.1)),
    tf.abs, x => tf.clipByValue(x, -0.5, 0.7), x => tf.reciprocal(x.add(5)),
  ];
  unary.forEach((f, i) => check(`unary #${i}`, () => {
    const x = tf.randomNormal([3, 17, 5], 0, 2, 'float32', 1000 + i);
    return [f(x), tf.grad(a => f(a).sum())(x)];
  }));
  const binary: Array<(a: tf.Tensor, b: tf.Tensor) => tf.Tensor> =
      [tf.add, tf.sub, tf.mul, tf.div, tf.maximum, tf.minimum, tf.squaredDifference];
  const shapes = [[[4, 5, 6], [4, 5, 6]], [[4, 5, 6], [6]], [[6], [4, 5, 6]], [[4, 1, 6], [5, 1]], [[], [3, 2]],
                  [[2, 3], []]];
  binary.forEach((f, i) => shapes.forEach(([sa, sb], j) => check(`binary #${i} ${sa} ${sb}`, () => {
    const a = tf.randomNormal(sa, 0, 1, 'float32', 1000 + i * 10 + j);
    const b = tf.randomNormal(sb, 0, 1, 'float32', 1000 + i * 10 + j + 5).add(i === 3 ? 3 : 0);
    // tfjs reduces broadcast gradients for the arithmetic ops only.
    if (i > 3 && (sa.length !== sb.length || sa.some((d, k) => d !== sb[k]))) return f(a, b);
    return [f(a, b), ...tf.grads((x: tf.Tensor, y: tf.Tensor) => f(x, y).sum())([a, b])];
  })));
  const comparisons = [tf.greater, tf.greaterEqual, tf.less, tf.lessEqual, tf.equal, tf.notEqual];
  comparisons.forEach((f, i) => check(`comparison #${i}`, () => {
    const a = tf.randomNormal([4, 5], 0, 1, 'float32', 1000 + i).round();
    return f(a, tf.randomNormal([5], 0, 1, 'float32', 1000 + i + 1).round()).cast('float32');
  }));
  const axesCases = [undefined, 0, 1, 2, [0, 2], [1, 2], [0, 1]];
  axesCases.forEach((axes, i) => check(`reductions over ${axes}`, () => {
    const x = tf.randomNormal([5, 6, 7], 0, 1, 'float32', 1000 + i);
    return [tf.sum(x, axes), tf.mean(x, axes, true), tf.max(x, axes), tf.min(x, axes),
            tf.prod(x.div(2).add(1), axes), tf.grad(a => tf.mean(a, axes).square().sum())(x)];
  }));
  // Long reductions into few outputs (bias gradients): split over threads, then combined.
  check('bias-gradient-shaped reductions', () => {
    const x = tf.randomNormal([8, 40, 40, 6], 0, 1, 'float32', 1000 + 77);
    return [tf.sum(x, [0, 1, 2]), tf.mean(x, [0, 1, 2]), tf.max(x, [0, 1, 2]), tf.min(x), tf.sum(x)];
  });
  check('tile', () => {
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1000 + 5);
    return [tf.tile(x, [2, 1, 3]), tf.tile(x, [1, 4, 1]), tf.tile(tf.randomNormal([1, 1, 1, 5], 0, 1, 'float32', 1006), [4, 6, 6, 1]),
            tf.grad(a => tf.tile(a, [3, 2, 1]).square().sum())(x)];
  });
  check('softmax', () => {
    const x = tf.randomNormal([7, 10], 0, 3, 'float32', 1000 + 1);
    return [tf.softmax(x), tf.grad(a => tf.softmax(a).mul(tf.range(0, 10)).sum())(x)];
  });
  check('batchNorm in training (batch moments), all gradients', () => {
    const x = tf.randomNormal([4, 5, 5, 6], 0, 1, 'float32', 1000 + 21);
    const [offset, scale] = [22, 23].map(s => tf.randomUniform([6], 0.5, 1.5, 'float32', 1000 + s));
    const w = tf.randomNormal([4, 5, 5, 6], 0, 1, 'float32', 1000 + 24);
    const f = (a: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => {
      const {mean, variance} = tf.moments(a, [0, 1, 2]);
      return tf.batchNorm(a, mean, variance, o, s, 1e-3).mul(w).sum();
    };
    return tf.grads(f)([x, offset, scale]);
  });
  check('batchNorm', () => {
    const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 1000 + 1);
    const [mean, variance, offset, scale] =
        [2, 3, 4, 5].map(s => tf.randomUniform([4], 0.5, 1.5, 'float32', 1000 + s));
    return [tf.batchNorm(x, mean, variance, offset, scale, 1e-3),
            ...tf.grads((a: tf.Tensor, s: tf.Tensor) => tf.batchNorm(a, mean, variance, offset, s).square().sum())(
                [x, scale])];
  });
});
