import {KernelConfig, KernelFunc, MaxPool, MaxPoolAttrs, MaxPoolInputs} from '@tensorflow/tfjs-core';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';
import {nativePool, poolForward, poolInfo} from './pool';

function maxPool(args: {inputs: Inputs<MaxPoolInputs>, backend: Backend, attrs: MaxPoolAttrs}) {
  const {inputs: {x}, backend, attrs} = args;
  if (!nativeCompatible(backend, x) || !nativePool(poolInfo(x, attrs))) {
    return fallback(MaxPool, args);
  }
  return poolForward(backend, x, attrs, true);
}

export const maxPoolConfig: KernelConfig = {
  kernelName: MaxPool,
  backendName: 'onednn',
  kernelFunc: maxPool as unknown as KernelFunc,
};
