import {EluGrad, EluGradInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {allocate, Backend, f32, fallback, Inputs, nativeCompatible} from './kernel_util';

function eluGrad(args: {inputs: Inputs<EluGradInputs>, backend: Backend}) {
  const {inputs: {dy, y}, backend} = args;
  if (!nativeCompatible(backend, dy, y)) return fallback(EluGrad, args);
  const out = allocate(y.shape);
  native.eluGrad(f32(backend, dy), f32(backend, y), out);
  return backend.makeTensorInfo(y.shape, 'float32', out);
}

export const eluGradConfig: KernelConfig = {
  kernelName: EluGrad,
  backendName: 'onednn',
  kernelFunc: eluGrad as unknown as KernelFunc,
};
