// The five gradients of FusedBatchNorm in one native kernel (used by gradients/batch_norm_grad.ts).
import {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {allocate, Backend, f32} from './kernel_util';

export const ONEDNN_BATCH_NORM_GRAD = 'OnednnBatchNormGrad';

export interface BatchNormGradInputs {
  x: TensorInfo; dy: TensorInfo; mean: TensorInfo; variance: TensorInfo; scale?: TensorInfo;
}

function batchNormGrad(args: {inputs: BatchNormGradInputs, backend: Backend, attrs: {varianceEpsilon: number}}) {
  const {inputs: {x, dy, mean, variance, scale}, backend, attrs} = args;
  const channels = mean.shape[0];
  const dx = allocate(x.shape);
  const perChannel = [0, 1, 2, 3].map(() => allocate([channels]));
  native.batchNormGrad(
      f32(backend, x), f32(backend, dy), f32(backend, mean), f32(backend, variance), scale ? f32(backend, scale) : null,
      attrs.varianceEpsilon, channels, dx, ...perChannel);
  return [
    backend.makeTensorInfo(x.shape, 'float32', dx),
    ...perChannel.map(values => backend.makeTensorInfo([channels], 'float32', values)),
  ];
}

export const onednnBatchNormGradConfig: KernelConfig = {
  kernelName: ONEDNN_BATCH_NORM_GRAD,
  backendName: 'onednn',
  kernelFunc: batchNormGrad as unknown as KernelFunc,
};
