import {KernelConfig, KernelFunc, Softmax, SoftmaxAttrs, SoftmaxInputs} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {allocate, Backend, f32, fallback, Inputs, nativeCompatible} from './kernel_util';

function softmax(args: {inputs: Inputs<SoftmaxInputs>, backend: Backend, attrs: SoftmaxAttrs}) {
  const {inputs: {logits}, backend, attrs} = args;
  const rank = logits.shape.length;
  const lastAxis = attrs.dim === -1 || attrs.dim === rank - 1;
  if (!nativeCompatible(backend, logits) || rank === 0 || !lastAxis) return fallback(Softmax, args);
  const cols = logits.shape[rank - 1];
  const out = allocate(logits.shape);
  native.softmax(f32(backend, logits), out, out.length / cols, cols);
  return backend.makeTensorInfo(logits.shape, 'float32', out);
}

export const softmaxConfig: KernelConfig = {
  kernelName: Softmax,
  backendName: 'onednn',
  kernelFunc: softmax as unknown as KernelFunc,
};
