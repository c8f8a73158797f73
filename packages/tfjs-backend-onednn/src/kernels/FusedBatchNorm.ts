import {FusedBatchNorm, FusedBatchNormAttrs, KernelConfig, KernelFunc, TensorInfo, util} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {activation, allocateActivation, holdsBf16, makeActivation} from '../activation_storage';
import {Backend, f32, fallback, nativeCompatible} from './kernel_util';

/** Scalars and per-channel vectors (on the last axis) are native; other broadcasts are not. */
function perChannel(t: TensorInfo|undefined, channels: number): boolean {
  if (t == null) return true;
  const size = util.sizeFromShape(t.shape);
  return size === 1 || (size === channels && t.shape[t.shape.length - 1] === channels);
}

type BatchNormInputs = {x: TensorInfo, mean: TensorInfo, variance: TensorInfo, offset?: TensorInfo, scale?: TensorInfo};

function fusedBatchNorm(args: {inputs: BatchNormInputs, backend: Backend, attrs: FusedBatchNormAttrs}) {
  const {inputs: {x, mean, variance, offset, scale}, backend, attrs} = args;
  const channels = x.shape[x.shape.length - 1];
  if (!nativeCompatible(backend, x, mean, variance, offset, scale) || x.shape.length === 0 ||
      ![mean, variance, offset, scale].every(t => perChannel(t, channels))) {
    return fallback(FusedBatchNorm, args);
  }
  const out = allocateActivation(x.shape, holdsBf16(backend, x));
  native.batchNorm(
      activation(backend, x), f32(backend, mean), f32(backend, variance), offset ? f32(backend, offset) : null,
      scale ? f32(backend, scale) : null, out, channels, attrs.varianceEpsilon ?? 0.001);
  return makeActivation(backend, x.shape, out);
}

export const fusedBatchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: 'onednn',
  kernelFunc: fusedBatchNorm as unknown as KernelFunc,
};
