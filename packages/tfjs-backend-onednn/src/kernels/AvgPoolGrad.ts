import {AvgPoolGrad, AvgPoolGradAttrs, AvgPoolGradInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';
import {nativePool, poolBackward, poolInfo} from './pool';

// TensorFlow's semantics: the true gradient of AvgPool, whose windows exclude padding.
// (tfjs's CPU kernel divides by the full window everywhere, which is wrong at SAME edges.)
function avgPoolGrad(args: {inputs: Inputs<AvgPoolGradInputs>, backend: Backend, attrs: AvgPoolGradAttrs}) {
  const {inputs: {dy, input}, backend, attrs} = args;
  if (!nativeCompatible(backend, dy, input) || !nativePool(poolInfo(input, attrs))) {
    return fallback(AvgPoolGrad, args);
  }
  return poolBackward(backend, dy, input, attrs, false);
}

export const avgPoolGradConfig: KernelConfig = {
  kernelName: AvgPoolGrad,
  backendName: 'onednn',
  kernelFunc: avgPoolGrad as unknown as KernelFunc,
};
