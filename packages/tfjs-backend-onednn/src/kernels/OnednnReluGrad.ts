// ReLU's gradient in one pass (tfjs runs Step, then Multiply; used by gradients/relu_grad.ts).
import {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {activation, allocateActivation, holdsBf16, makeActivation} from '../activation_storage';
import {Backend} from './kernel_util';

export const ONEDNN_RELU_GRAD = 'OnednnReluGrad';

function reluGrad(args: {inputs: {dy: TensorInfo, x: TensorInfo}, backend: Backend}) {
  const {inputs: {dy, x}, backend} = args;
  const dx = allocateActivation(x.shape, holdsBf16(backend, x));
  native.reluGrad(activation(backend, dy), activation(backend, x), dx);
  return makeActivation(backend, x.shape, dx);
}

export const onednnReluGradConfig: KernelConfig = {
  kernelName: ONEDNN_RELU_GRAD,
  backendName: 'onednn',
  kernelFunc: reluGrad as unknown as KernelFunc,
};
