import {KernelConfig, KernelFunc, LRNGrad, LRNGradAttrs, LRNGradInputs} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {allocate, Backend, f32, fallback, Inputs, nativeCompatible} from './kernel_util';

function lrnGrad(args: {inputs: Inputs<LRNGradInputs>, backend: Backend, attrs: LRNGradAttrs}) {
  const {inputs: {x, dy}, backend, attrs} = args;
  if (!nativeCompatible(backend, x, dy) || x.shape.length !== 4) return fallback(LRNGrad, args);
  const dx = allocate(x.shape);
  native.lrnGrad(f32(backend, x), f32(backend, dy), dx, Int32Array.from([...x.shape, attrs.depthRadius]),
                 attrs.bias, attrs.alpha, attrs.beta);
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

export const lrnGradConfig: KernelConfig = {
  kernelName: LRNGrad,
  backendName: 'onednn',
  kernelFunc: lrnGrad as unknown as KernelFunc,
};
