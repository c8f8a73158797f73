// BatchNorm in training on onednn (gradients/batch_norm_training.ts) against tfjs's unfused ops
// on the CPU backend: moments, normalization, every gradient, tf.layers' moving statistics.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {compareWithCpu, tf} from './helpers';

const TOLERANCE = 1e-4;

function check(name: string, f: () => tf.Tensor|tf.Tensor[]) {
  const error = compareWithCpu(f);
  assert.ok(error <= TOLERANCE, `${name}: relative error ${error}`);
}

/** Names of the kernels `f` runs on onednn. */
async function kernelsRun(f: () => tf.TensorContainer): Promise<string[]> {
  tf.setBackend('onednn');
  const profile = await tf.profile(f);
  return profile.kernels.map(k => k.name);
}

const SHAPES = [[4, 6, 5, 3], [2, 3, 3, 16], [7, 5], [3, 4, 9]];

test('moments over all axes but the last: values and gradients', () => {
  SHAPES.forEach((shape, i) => {
    const axes = shape.slice(0, -1).map((_, a) => a);
    check(`moments ${shape}`, () => {
      const x = tf.randomNormal(shape, 3, 2, 'float32', 10 + i);
      const {mean, variance} = tf.moments(x, axes);
      const [wm, wv] = [tf.randomNormal(mean.shape, 0, 1, 'float32', 20 + i), tf.randomNormal(mean.shape, 0, 1, 'float32', 30 + i)];
      const [dx] = tf.grads((a: tf.Tensor) => {
        const m = tf.moments(a, axes);
        return m.mean.mul(wm).sum().add(m.variance.mul(wv).sum());
      })([x]);
      return [mean, variance, dx];
    });
  });
  // A large mean against a small spread: the variance must not come from cancelling large sums.
  check('moments, mean 1000, standard deviation 0.5', () => {
    const x = tf.randomNormal([8, 5, 5, 4], 1000, 0.5, 'float32', 15);
    const {mean, variance} = tf.moments(x, [0, 1, 2]);
    return [mean, variance];
  });
});

test('batchNorm by the batch moments: output and the gradients of x, scale and offset', () => {
  SHAPES.forEach((shape, i) => {
    const axes = shape.slice(0, -1).map((_, a) => a);
    const c = shape[shape.length - 1];
    const make = () => ({
      x: tf.randomNormal(shape, -1, 3, 'float32', 40 + i),
      scale: tf.randomNormal([c], 1, 0.5, 'float32', 50 + i),
      offset: tf.randomNormal([c], 0, 1, 'float32', 60 + i),
      weight: tf.randomNormal(shape, 0, 1, 'float32', 70 + i),
    });
    check(`batchNorm training ${shape}`, () => {
      const {x, scale, offset, weight} = make();
      const loss = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const {mean, variance} = tf.moments(a, axes);
        return tf.batchNorm(a, mean, variance, o as tf.Tensor1D, s as tf.Tensor1D, 1e-5).mul(weight).sum();
      };
      const {value, grads} = tf.valueAndGrads(loss)([x, scale, offset]);
      return [value, ...grads];
    });
    // The moments also reach the loss directly: their gradient adds to the batch-norm one.
    check(`batchNorm training ${shape}, moments used again`, () => {
      const {x, scale, offset, weight} = make();
      const loss = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const {mean, variance} = tf.moments(a, axes);
        const y = tf.batchNorm(a, mean, variance, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3);
        return y.mul(weight).sum().add(mean.square().sum()).add(variance.sum().mul(0.5));
      };
      return tf.grads(loss)([x, scale, offset]);
    });
  });
});

test('the training path runs the native kernels and none of the unfused ones', async () => {
  const x = tf.randomNormal([4, 6, 6, 8], 0, 1, 'float32', 1);
  const scale = tf.ones([8]), offset = tf.zeros([8]);
  const kernels = await kernelsRun(() => tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
    const {mean, variance} = tf.moments(a, [0, 1, 2]);
    return tf.batchNorm(a, mean, variance, o as tf.Tensor1D, s as tf.Tensor1D).square().sum();
  })([x, scale, offset]));
  for (const k of ['OnednnMoments', 'OnednnBatchNormTraining', 'OnednnBatchNormTrainingGrad']) {
    assert.ok(kernels.includes(k), `${k} missing; kernels run: ${kernels.join(', ')}`);
  }
  for (const k of ['Sub', 'Mean', 'FusedBatchNorm', 'OnednnMomentsGrad', 'OnednnBatchNormGrad']) {
    assert.ok(!kernels.includes(k), `${k} ran; kernels run: ${kernels.join(', ')}`);
  }
  tf.dispose([x, scale, offset]);
});

test('second-order gradients through batchNorm training keep tfjs\'s path', () => {
  check('hessian-vector product', () => {
    const x = tf.randomNormal([3, 4, 4, 2], 0, 1, 'float32', 80);
    const v = tf.randomNormal(x.shape, 0, 1, 'float32', 81);
    const w = tf.randomNormal(x.shape, 0, 1, 'float32', 82);
    const scale = tf.randomNormal([2], 1, 0.2, 'float32', 83), offset = tf.randomNormal([2], 0, 1, 'float32', 84);
    const f = (a: tf.Tensor) => {
      const {mean, variance} = tf.moments(a, [0, 1, 2]);
      return tf.batchNorm(a, mean, variance, offset, scale).mul(w).square().sum();
    };
    return tf.grad((a: tf.Tensor) => tf.grad(f)(a).mul(v).sum())(x);
  });
});

test('tf.layers BatchNormalization trains as on the CPU backend: weights and moving statistics', async () => {
  const make = () => {
    const model = tf.sequential({layers: [
      tf.layers.conv2d({inputShape: [8, 8, 3], filters: 6, kernelSize: 3, padding: 'same', useBias: false,
                        kernelInitializer: tf.initializers.glorotNormal({seed: 1})}),
      tf.layers.batchNormalization({momentum: 0.9, epsilon: 1e-5}),
      tf.layers.activation({activation: 'relu'}),
      tf.layers.flatten(),
      tf.layers.dense({units: 5, kernelInitializer: tf.initializers.glorotNormal({seed: 2})}),
      tf.layers.batchNormalization(),
      tf.layers.dense({units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({seed: 3})}),
    ]});
    model.compile({optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy'});
    return model;
  };
  const train = async (backend: string) => {
    tf.setBackend(backend);
    const model = make();
    const x = tf.randomNormal([6, 8, 8, 3], 0.5, 2, 'float32', 7);
    const y = tf.tensor1d([0, 1, 1, 0, 1, 0]);
    for (let i = 0; i < 3; i++) await model.trainOnBatch(x, y);
    // Every weight, moving mean and moving variance included.
    const values = model.weights.map(w => w.read().dataSync() as Float32Array);
    const names = model.weights.map(w => w.name);
    model.dispose();
    tf.dispose([x, y]);
    return {values, names};
  };
  const cpu = await train('cpu');
  const onednn = await train('onednn');
  tf.setBackend('onednn');
  assert.ok(cpu.names.some(n => /moving_mean/.test(n)) && cpu.names.some(n => /moving_variance/.test(n)));
  cpu.values.forEach((expected, i) => {
    const actual = onednn.values[i];
    let scale = 1e-3, worst = 0;
    for (let j = 0; j < expected.length; j++) {
      scale = Math.max(scale, Math.abs(expected[j]));
      worst = Math.max(worst, Math.abs(actual[j] - expected[j]));
    }
    assert.ok(worst / scale <= TOLERANCE, `${cpu.names[i]}: relative error ${worst / scale}`);
  });

  const model = make();
  const x = tf.randomNormal([6, 8, 8, 3], 0, 1, 'float32', 8);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1, 0], 'int32'), 2);
  const kernels = await kernelsRun(() => tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, {training: true}) as tf.Tensor) as tf.Scalar).value);
  // The rank-4 layer is one kernel with the ReLU after it (layers/batch_norm_layer.ts); the rank-2
  // one runs the stock layer's tf.moments and tf.batchNorm, i.e. this package's kernels for them.
  const count = (name: string) => kernels.filter(k => k === name).length;
  assert.equal(count('OnednnBatchNormReluLayer'), 1, `kernels run: ${kernels.join(', ')}`);
  assert.equal(count('OnednnBatchNormTraining'), 1, `kernels run: ${kernels.join(', ')}`);
  assert.equal(count('Relu'), 0, `kernels run: ${kernels.join(', ')}`);
  model.dispose();
  tf.dispose([x, labels]);
});

// layers/batch_norm_layer.ts: the moving statistics updated in place, by the stock formula.
test('tf.layers BatchNormalization updates its moving statistics in place, to the stock update\'s exact values', async () => {
  tf.setBackend('onednn');
  const layer = tf.layers.batchNormalization({momentum: 0.9});
  const model = tf.sequential({layers: [
    tf.layers.conv2d({inputShape: [6, 6, 3], filters: 8, kernelSize: 3, useBias: false,
                      kernelInitializer: tf.initializers.glorotNormal({seed: 4})}),
    layer, tf.layers.globalAveragePooling2d({}), tf.layers.dense({units: 2, kernelInitializer: tf.initializers.glorotNormal({seed: 5})}),
  ]});
  model.compile({optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy'});
  const x = tf.randomNormal([5, 6, 6, 3], 1, 2, 'float32', 9);
  const y = tf.tensor1d([0, 1, 1, 0, 1]);
  await model.trainOnBatch(x, y);
  const [movingMean, movingVariance] = [layer.getWeights()[2], layer.getWeights()[3]];
  // A tensor sharing the moving mean's values (a clone) keeps them; the variable keeps its buffer.
  const before = tf.clone(movingMean), beforeVariance = movingVariance.dataSync().slice();
  const kept = before.dataSync().slice();
  const {meanId, varianceId} = {meanId: movingMean.dataId, varianceId: movingVariance.dataId};
  // The batch statistics this step sees: the conv's output with the weights before the step.
  const conv = model.layers[0].apply(x) as tf.Tensor;
  const {mean, variance} = tf.moments(conv, [0, 1, 2]);
  await model.trainOnBatch(x, y);
  const [afterMean, afterVariance] = [layer.getWeights()[2], layer.getWeights()[3]];
  assert.deepEqual(Array.from(before.dataSync()), Array.from(kept));
  assert.equal(afterVariance.dataId, varianceId, 'updated in place');
  assert.notEqual(afterMean.dataId, meanId, 'shared values were copied first');
  // The stock update, run as tfjs kernels: v - (v - batch) * (1 - momentum).
  const stock = (v: tf.Tensor, batch: tf.Tensor) => tf.sub(v, tf.mul(tf.sub(v, batch), 1 - 0.9)).dataSync();
  assert.deepEqual(Array.from(afterMean.dataSync()), Array.from(stock(before, mean)));
  assert.deepEqual(Array.from(afterVariance.dataSync()), Array.from(stock(tf.tensor1d(beforeVariance), variance)));
  tf.dispose([x, y, before, conv, mean, variance]);
  model.dispose();
});

test('BatchNormalization over features (rank 2), and in inference, keep the stock layer\'s path', async () => {
  tf.setBackend('onednn');
  const layer = tf.layers.batchNormalization({inputShape: [3]});
  const x = tf.randomNormal([6, 3], 2, 1, 'float32', 11);
  const out = layer.apply(x, {training: true}) as tf.Tensor;  // builds the layer, then trains
  const before = layer.getWeights()[2];
  const [kept, beforeId] = [before.dataSync().slice(), before.dataId];
  const out2 = layer.apply(x, {training: true}) as tf.Tensor;
  const after = layer.getWeights()[2];
  assert.notEqual(after.dataId, beforeId, 'the stock update assigns a new tensor');
  const {mean} = tf.moments(x, [0]);
  const expected = tf.sub(tf.tensor1d(kept), tf.mul(tf.sub(tf.tensor1d(kept), mean), 1 - 0.99)).dataSync();
  assert.deepEqual(Array.from(after.dataSync()), Array.from(expected));
  const inference = layer.apply(x, {training: false}) as tf.Tensor;
  assert.ok(tf.sub(out2, inference).abs().max().dataSync()[0] > 0, 'inference normalizes by the moving statistics');
  tf.dispose([x, out, out2, inference, mean]);
});
