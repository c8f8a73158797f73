// Backward-data and backward-weights convolutions shared by the plain and depthwise kernels.
import {backend_util, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {convParams} from './conv_util';
import {allocate, Backend, f32} from './kernel_util';

/** dx = the gradient of a convolution with respect to its input (also conv2dTranspose). */
export function convBackwardData(
    backend: Backend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo,
    groups: number): TensorInfo {
  const shape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
  const dx = allocate(shape);
  native.conv2dBackwardData(f32(backend, dy), f32(backend, filter), dx, convParams(info, groups));
  return backend.makeTensorInfo(shape, 'float32', dx);
}

/** dw = the gradient of a convolution with respect to its filter, in the filter's layout. */
export function convBackwardFilter(
    backend: Backend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, filterShape: number[],
    groups: number): TensorInfo {
  const dw = allocate(filterShape);
  native.conv2dBackwardFilter(f32(backend, x), f32(backend, dy), dw, convParams(info, groups));
  return backend.makeTensorInfo(filterShape, 'float32', dw);
}
