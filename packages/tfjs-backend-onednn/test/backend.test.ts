// Registration, introspection, fallbacks, and that the primitives oneDNN picks are not its
// slow reference implementations.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {tf} from './helpers';
import {info, nativeKernelNames, primitiveImplementations, setThreads} from '../src/index';

test('importing the package makes onednn the default backend', async () => {
  const code = `const tf = require('@tensorflow/tfjs'); require('./src/index');
    tf.ready().then(() => console.log(tf.getBackend()));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], {cwd: path.join(__dirname, '..')});
  assert.equal(out.toString().trim(), 'onednn');
});

test('info() reports the oneDNN version, ISA and threads; TFJS_ONEDNN_THREADS overrides', () => {
  const i = info();
  assert.match(i.onednnVersion, /^\d+\.\d+\.\d+$/);
  assert.notEqual(i.isa, '');
  assert.equal(i.threads, os.availableParallelism());
  const code = `console.log(require('./src/index').info().threads)`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code],
                           {cwd: path.join(__dirname, '..'), env: {...process.env, TFJS_ONEDNN_THREADS: '1'}});
  assert.equal(out.toString().trim(), '1');
  assert.throws(() => setThreads(0), /positive integer/);
});

test('the kernels the issue names are native', () => {
  for (const name of ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNative',
                      'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'AvgPool',
                      'AvgPoolGrad', 'MaxPool', 'MaxPoolGrad', 'BatchMatMul', '_FusedMatMul', 'LRN', 'LRNGrad',
                      'FusedBatchNorm', 'Softmax', 'Relu', 'Relu6', 'Elu', 'EluGrad', 'LeakyRelu', 'Sigmoid', 'Tanh',
                      'Step', 'Add', 'Sub', 'Multiply', 'RealDiv', 'Sum', 'Mean', 'Tile']) {
    assert.ok(nativeKernelNames.includes(name), name);
    assert.equal(tf.getKernel(name, 'onednn')?.backendName, 'onednn');
  }
  // Every CPU kernel stays available.
  const onednn = new Set(tf.getKernelsForBackend('onednn').map(k => k.kernelName));
  for (const k of tf.getKernelsForBackend('cpu')) assert.ok(onednn.has(k.kernelName), k.kernelName);
});

test('inputs the native kernels do not take fall back to the CPU kernels', () => {
  tf.setBackend('onednn');
  const xi = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
  assert.deepEqual(Array.from(tf.add(xi, xi).dataSync()), [2, 4, 6, 8]);
  assert.equal(tf.add(xi, xi).dtype, 'int32');
  assert.deepEqual(Array.from(tf.sum(xi).dataSync()), [10]);
  // NCHW convolution: the CPU kernel's answer (or its error) — here tfjs throws for NCHW on CPU.
  const x = tf.ones([1, 1, 4, 4]) as tf.Tensor4D;
  const f = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
  let nativeResult: unknown, cpuResult: unknown;
  try { nativeResult = Array.from(tf.conv2d(x, f, 1, 'valid', 'NCHW').dataSync()); } catch (e) { nativeResult = (e as Error).message; }
  tf.setBackend('cpu');
  try { cpuResult = Array.from(tf.conv2d(x, f, 1, 'valid', 'NCHW').dataSync()); } catch (e) { cpuResult = (e as Error).message; }
  tf.setBackend('onednn');
  assert.deepEqual(nativeResult, cpuResult);
});

test('the seed LeNet-5 layers use optimized oneDNN implementations, never ref:any', () => {
  tf.setBackend('onednn');
  const before = primitiveImplementations().length;
  tf.tidy(() => {
    const x = tf.randomNormal([2, 150, 150, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w1 = tf.randomNormal([5, 5, 3, 6], 0, 0.1, 'float32', 2) as tf.Tensor4D;
    const w3 = tf.randomNormal([5, 5, 16, 120], 0, 0.1, 'float32', 3) as tf.Tensor4D;
    const w2 = tf.randomNormal([5, 5, 6, 16], 0, 0.1, 'float32', 4) as tf.Tensor4D;
    const wd = tf.randomNormal([38 * 38 * 120, 84], 0, 0.01, 'float32', 5) as tf.Tensor2D;
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => {
      let h = tf.avgPool(tf.relu(tf.conv2d(x, a as tf.Tensor4D, 1, 'same')), 2, 2, 'same');
      h = tf.avgPool(tf.relu(tf.conv2d(h, b as tf.Tensor4D, 1, 'same')), 2, 2, 'same');
      h = tf.relu(tf.conv2d(h, c as tf.Tensor4D, 1, 'same'));
      return tf.matMul(h.reshape([2, -1]), d as tf.Tensor2D).square().sum();
    };
    tf.grads(loss)([w1, w2, w3, wd]);
  });
  const created = primitiveImplementations().slice(before).filter(s => /^(conv|pool|matmul)/.test(s));
  assert.ok(created.length >= 8, `primitives created: ${created}`);
  const slow = created.filter(s => s.includes('ref'));
  assert.deepEqual(slow, [], `reference (slow) implementations picked: ${slow}`);
});

test('a missing addon is reported in one sentence with the command that installs it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onednn-missing-'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.copyFileSync(path.join(__dirname, '..', 'src', 'native.ts'), path.join(dir, 'src', 'native.ts'));
  let message = '';
  try {
    execFileSync(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(path.join(dir, 'src', 'native.ts'))})`],
                 {cwd: path.join(__dirname, '..'), stdio: 'pipe'});
  } catch (e) {
    message = (e as {stderr: Buffer}).stderr.toString();
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
  }
  assert.match(message, /tfjs-backend-onednn: the native addon is not built: run `apt-get install libdnnl-dev/);
});
