// Shared by the four pooling kernels.
import {backend_util, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {poolParams} from './conv_util';
import {activation, allocateActivation, holdsBf16, makeActivation} from '../activation_storage';
import {Backend, f32} from './kernel_util';

export type PoolAttrs = {
  filterSize: [number, number]|number,
  strides: [number, number]|number,
  pad: 'valid'|'same'|number|backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor'|'round'|'ceil',
};

export function poolInfo(x: TensorInfo, attrs: PoolAttrs): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(
      x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad,
      attrs.dimRoundingMode);
}

/**
 * Pooling the native code doesn't take: a 1x1 window that keeps the shape (every tfjs backend
 * returns the input unchanged there, ignoring stride and padding), or a window lying entirely
 * in the padding (oneDNN refuses it; tfjs defines it).
 */
export function nativePool(info: backend_util.Conv2DInfo): boolean {
  const params = poolParams(info);
  const [padBottom, padRight] = [params[12], params[13]];
  const identity = info.filterHeight === 1 && info.filterWidth === 1 && info.inHeight === info.outHeight &&
      info.inWidth === info.outWidth;
  const windowInPadding = info.padInfo.top >= info.filterHeight || info.padInfo.left >= info.filterWidth ||
      padBottom >= info.filterHeight || padRight >= info.filterWidth;
  return !identity && !windowInPadding;
}

export function poolForward(backend: Backend, x: TensorInfo, attrs: PoolAttrs, isMax: boolean): TensorInfo {
  const info = poolInfo(x, attrs);
  const shape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  const bf16 = holdsBf16(backend, x);
  const out = allocateActivation(shape, bf16);
  // The native call takes x and out in one type: bf16 for both, else f32 for both.
  native.pool2dForward(out instanceof Uint16Array ? activation(backend, x) : f32(backend, x), out, poolParams(info), isMax);
  return makeActivation(backend, shape, out);
}

export function poolBackward(
    backend: Backend, dy: TensorInfo, x: TensorInfo, attrs: PoolAttrs, isMax: boolean): TensorInfo {
  const info = poolInfo(x, attrs);
  // One type for all: bf16 when dy (and for max pooling x) are bf16 activations, else f32.
  const dx = allocateActivation(x.shape, holdsBf16(backend, dy) && (!isMax || holdsBf16(backend, x)));
  const read = (t: TensorInfo) => dx instanceof Uint16Array ? activation(backend, t) : f32(backend, t);
  native.pool2dBackward(read(dy), isMax ? read(x) : null, dx, poolParams(info), isMax);
  return makeActivation(backend, x.shape, dx);
}
