// ReLU's gradient in one pass (tfjs runs Step, then Multiply; used by gradients/relu_grad.ts).
import {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {allocate, Backend, f32} from './kernel_util';

export const ONEDNN_RELU_GRAD = 'OnednnReluGrad';

function reluGrad(args: {inputs: {dy: TensorInfo, x: TensorInfo}, backend: Backend}) {
  const {inputs: {dy, x}, backend} = args;
  const dx = allocate(x.shape);
  native.reluGrad(f32(backend, dy), f32(backend, x), dx);
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

export const onednnReluGradConfig: KernelConfig = {
  kernelName: ONEDNN_RELU_GRAD,
  backendName: 'onednn',
  kernelFunc: reluGrad as unknown as KernelFunc,
};
