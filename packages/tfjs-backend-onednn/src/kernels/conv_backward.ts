// Backward-data and backward-weights convolutions shared by the plain and depthwise kernels.
// `dyToken` (nonzero) says that both are called with the same dy, so that in bf16 mode dy is
// converted once (gradients/conv2d_bias_activation.ts passes it as the attribute DY_TOKEN).
import {backend_util, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {convParams} from './conv_util';
import {activation, allocateActivation, makeActivation} from '../activation_storage';
import {allocate, Backend, f32} from './kernel_util';

/** Attribute naming the dy of a Conv2DBackpropInput/Filter pair issued by one gradient (a positive integer). */
export const DY_TOKEN = 'onednnDyToken';

let lastDyToken = 0;
/** A fresh DY_TOKEN value. */
export function newDyToken(): number {
  return ++lastDyToken;
}

/** The DY_TOKEN attribute of a kernel call, 0 when absent. */
export function dyToken(attrs: object): number {
  const token = (attrs as {[DY_TOKEN]?: unknown})[DY_TOKEN];
  return typeof token === 'number' ? token : 0;
}

/** dx = the gradient of a convolution with respect to its input (also conv2dTranspose). */
export function convBackwardData(
    backend: Backend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo,
    groups: number, dyToken = 0): TensorInfo {
  const shape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
  const dx = allocateActivation(shape, true);
  native.conv2dBackwardData(activation(backend, dy), f32(backend, filter), dx, convParams(info, groups), dyToken);
  return makeActivation(backend, shape, dx);
}

/** dw = the gradient of a convolution with respect to its filter, in the filter's layout. */
export function convBackwardFilter(
    backend: Backend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, filterShape: number[],
    groups: number, dyToken = 0): TensorInfo {
  const dw = allocate(filterShape);
  native.conv2dBackwardFilter(activation(backend, x), activation(backend, dy), dw, convParams(info, groups), dyToken);
  return backend.makeTensorInfo(filterShape, 'float32', dw);
}
