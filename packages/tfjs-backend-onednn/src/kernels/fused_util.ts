// The rare fused cases oneDNN can't take in one primitive (PReLU, a bias that isn't one value
// per output channel) run as separate kernels after the native convolution or matmul.
import {backend_util, getKernel, TensorInfo, util} from '@tensorflow/tfjs-core';
import {Backend} from './kernel_util';

const ACTIVATION_KERNELS: {[name: string]: string} = {
  relu: 'Relu', relu6: 'Relu6', elu: 'Elu', leakyrelu: 'LeakyRelu', sigmoid: 'Sigmoid', tanh: 'Tanh',
};

function run(backend: Backend, kernelName: string, inputs: object, attrs = {}): TensorInfo {
  const kernel = getKernel(kernelName, 'onednn') ?? getKernel(kernelName, 'cpu');
  return kernel!.kernelFunc({inputs, backend, attrs} as never) as TensorInfo;
}

/** True when the bias is one value per output channel (the last axis). */
export function isChannelBias(bias: TensorInfo|undefined, channels: number): boolean {
  return bias == null ||
      (util.sizeFromShape(bias.shape) === channels &&
       (bias.shape.length === 0 ? channels === 1 : bias.shape[bias.shape.length - 1] === channels));
}

/** Adds the bias and applies the activation as separate kernels; disposes intermediates. */
export function applyBiasAndActivation(
    backend: Backend, x: TensorInfo, bias: TensorInfo|undefined, activation: backend_util.Activation,
    preluWeights: TensorInfo|undefined, leakyreluAlpha: number): TensorInfo {
  let out = x;
  if (bias != null) {
    out = run(backend, 'Add', {a: x, b: bias});
    backend.disposeIntermediateTensorInfo(x);
  }
  if (activation === 'linear') return out;
  const before = out;
  if (activation === 'prelu') {
    out = run(backend, 'Prelu', {x: before, alpha: preluWeights});
  } else {
    out = run(backend, ACTIVATION_KERNELS[activation], {x: before}, {alpha: leakyreluAlpha});
  }
  backend.disposeIntermediateTensorInfo(before);
  return out;
}
