// Second module of the suite bundle (after harness.ts): registers the 'onednn' backend on the
// same ES-module instance of tfjs-core that the test files import (dist/index.js), registers
// the gradients and chained ops as tfjs-core's own test setup does, and makes 'onednn' the only
// test environment.
//
// TFJS_CORE_SUITE_CPU_KERNELS=1 (run.ts --cpu-kernels) swaps every native kernel back to the CPU
// backend's: the same suite on the same backend without native code, to tell a native failure
// from a harness problem.

// The backend package itself: imports @tensorflow/tfjs-core (bundled as dist/index.js) and
// @tensorflow/tfjs-backend-cpu, loads the native addon, registers 'onednn' at priority 4.
import {nativeKernelNames, setPrecision} from '../../src/index';
import {OnednnBackend} from '../../src/backend';
import {nativeKernelConfigs} from '../../src/register_all_kernels';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import {ALL_ENVS, describeWithFlags, setTestEnvs} from '@tensorflow/tfjs-core/dist/jasmine_util';
import {native} from '../../src/native';
import {setNativeCallCounts, setNativeKernels} from './harness';

declare const it: (name: string, fn: () => void) => void;
declare const expect: (actual: unknown) => {toBe(expected: unknown): void};

const cpuKernelsOnly = process.env.TFJS_CORE_SUITE_CPU_KERNELS === '1';
if (cpuKernelsOnly) {
  for (const name of nativeKernelNames) {
    tf.unregisterKernel(name, 'onednn');
    const cpu = tf.getKernel(name, 'cpu');
    if (cpu) tf.registerKernel({...cpu, backendName: 'onednn'});
  }
}

// TFJS_CORE_SUITE_BF16=1 (run.ts --bf16): mixed precision. The backend then reports 16-bit floats,
// which is how tfjs-core's specs pick their tolerances (1e-1 instead of 1e-3, as for WebGL's half floats).
if (process.env.TFJS_CORE_SUITE_BF16 === '1') {
  setPrecision('bfloat16');
  OnednnBackend.prototype.floatPrecision = () => 16;
}

setTestEnvs([{name: 'onednn', backendName: 'onednn', isDataSync: true}]);
setNativeKernels(cpuKernelsOnly ? [] : nativeKernelNames);

// Count calls into the addon (kernels call `native.fn(...)` at run time), so the report shows
// that the suite really ran native code, and which entry points it reached.
const nativeCalls: Record<string, number> = {};
const introspection = new Set(['version', 'isa', 'setNumThreads', 'getNumThreads', 'implNames', 'setBf16', 'getBf16']);
for (const key of Object.keys(native)) {
  const fn = native[key];
  if (typeof fn !== 'function' || introspection.has(key)) continue;
  nativeCalls[key] = 0;
  native[key] = function(this: unknown, ...args: unknown[]) {
    nativeCalls[key]++;
    return fn.apply(this, args);
  };
}
setNativeCallCounts(nativeCalls);

// A self-check that runs first: the specs really run on 'onednn', with the kernels that the
// backend claims as native registered for it.
describeWithFlags('tfjs-core-suite harness', ALL_ENVS, () => {
  it('runs on the onednn backend with its native kernels registered', () => {
    expect(tf.getBackend()).toBe('onednn');
    expect(native.getBf16()).toBe(process.env.TFJS_CORE_SUITE_BF16 === '1');
    const registered = new Set(tf.getKernelsForBackend('onednn').map(k => k.kernelName));
    for (const config of nativeKernelConfigs) expect(registered.has(config.kernelName)).toBe(true);
  });
});
