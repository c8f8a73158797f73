import {KernelConfig, KernelFunc, MaxPoolGrad, MaxPoolGradAttrs, MaxPoolGradInputs} from '@tensorflow/tfjs-core';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';
import {nativePool, poolBackward, poolInfo} from './pool';

function maxPoolGrad(args: {inputs: Inputs<MaxPoolGradInputs>, backend: Backend, attrs: MaxPoolGradAttrs}) {
  const {inputs: {dy, input}, backend, attrs} = args;
  if (!nativeCompatible(backend, dy, input) || !nativePool(poolInfo(input, attrs))) {
    return fallback(MaxPoolGrad, args);
  }
  return poolBackward(backend, dy, input, attrs, true);
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'onednn',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
