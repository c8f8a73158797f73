// Second module of the suite bundle (after harness.ts): registers the 'onednn' backend on the
// same ES-module instance of tfjs-core that the test files import (dist/index.js), registers
// the gradients and chained ops as tfjs-core's own test setup does, and makes 'onednn' the only
// test environment.
// The backend package itself: imports @tensorflow/tfjs-core (bundled as dist/index.js) and
// @tensorflow/tfjs-backend-cpu, loads the native addon, registers 'onednn' at priority 4.
import {nativeKernelNames} from '../../src/index';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import {setTestEnvs} from '@tensorflow/tfjs-core/dist/jasmine_util';
import {setNativeKernels} from './harness';

setTestEnvs([{name: 'onednn', backendName: 'onednn', isDataSync: true}]);
setNativeKernels(nativeKernelNames);

// A self-check that runs with the suite: the specs above really run on 'onednn', and the
// kernels the backend claims as native are the ones registered for it (not the CPU copies).
import * as tf from '@tensorflow/tfjs-core';
import {describeWithFlags, ALL_ENVS} from '@tensorflow/tfjs-core/dist/jasmine_util';
import {nativeKernelConfigs} from '../../src/register_all_kernels';
declare const it: (name: string, fn: () => void) => void;
declare const expect: (actual: unknown) => {toBe(expected: unknown): void};

describeWithFlags('tfjs-core-suite harness', ALL_ENVS, () => {
  it('runs on the onednn backend with its native kernels registered', () => {
    expect(tf.getBackend()).toBe('onednn');
    for (const config of nativeKernelConfigs) {
      expect(tf.getKernel(config.kernelName, 'onednn')?.kernelFunc).toBe(config.kernelFunc);
    }
  });
});
