import {AvgPool, AvgPoolAttrs, AvgPoolInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';
import {nativePool, poolForward, poolInfo} from './pool';

function avgPool(args: {inputs: Inputs<AvgPoolInputs>, backend: Backend, attrs: AvgPoolAttrs}) {
  const {inputs: {x}, backend, attrs} = args;
  if (!nativeCompatible(backend, x) || !nativePool(poolInfo(x, attrs))) {
    return fallback(AvgPool, args);
  }
  return poolForward(backend, x, attrs, false);
}

export const avgPoolConfig: KernelConfig = {
  kernelName: AvgPool,
  backendName: 'onednn',
  kernelFunc: avgPool as unknown as KernelFunc,
};
