import {KernelConfig, KernelFunc, LRN, LRNAttrs, LRNInputs} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {allocate, Backend, f32, fallback, Inputs, nativeCompatible} from './kernel_util';

function lrn(args: {inputs: Inputs<LRNInputs>, backend: Backend, attrs: LRNAttrs}) {
  const {inputs: {x}, backend, attrs} = args;
  if (!nativeCompatible(backend, x) || x.shape.length !== 4) return fallback(LRN, args);
  const out = allocate(x.shape);
  native.lrn(f32(backend, x), out, Int32Array.from([...x.shape, attrs.depthRadius]), attrs.bias, attrs.alpha,
             attrs.beta);
  return backend.makeTensorInfo(x.shape, 'float32', out);
}

export const lrnConfig: KernelConfig = {
  kernelName: LRN,
  backendName: 'onednn',
  kernelFunc: lrn as unknown as KernelFunc,
};
