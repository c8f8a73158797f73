// Mean's gradient: dy broadcast back over the reduced axes and divided by their size, in one
// pass (tfjs fills a tensor of ones, multiplies and divides; see gradients/mean_grad.ts).
import {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {allocate, Backend, f32} from './kernel_util';

export const ONEDNN_MEAN_GRAD = 'OnednnMeanGrad';

function meanGrad(args: {inputs: {dy: TensorInfo}, backend: Backend, attrs: {shape: number[], reduceSize: number}}) {
  const {inputs: {dy}, backend, attrs: {shape, reduceSize}} = args;
  const out = allocate(shape);
  const reps = shape.map((d, i) => d / dy.shape[i]);
  native.tile(f32(backend, dy), out, Int32Array.from(dy.shape), Int32Array.from(reps), Math.fround(1 / reduceSize));
  return backend.makeTensorInfo(shape, 'float32', out);
}

export const onednnMeanGradConfig: KernelConfig = {
  kernelName: ONEDNN_MEAN_GRAD,
  backendName: 'onednn',
  kernelFunc: meanGrad as unknown as KernelFunc,
};
