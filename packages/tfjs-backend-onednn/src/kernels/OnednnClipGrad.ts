// ClipByValue's gradient in one pass (tfjs runs GreaterEqual, LessEqual, LogicalAnd, ZerosLike
// and Select, the last three as slow JS loops; used by gradients/clip_grad.ts).
import {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {allocate, Backend, f32} from './kernel_util';

export const ONEDNN_CLIP_GRAD = 'OnednnClipGrad';

function clipGrad(args: {inputs: {dy: TensorInfo, x: TensorInfo}, backend: Backend,
                         attrs: {clipValueMin: number, clipValueMax: number}}) {
  const {inputs: {dy, x}, backend, attrs} = args;
  const dx = allocate(x.shape);
  native.clipGrad(f32(backend, dy), f32(backend, x), dx, attrs.clipValueMin, attrs.clipValueMax);
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

export const onednnClipGradConfig: KernelConfig = {
  kernelName: ONEDNN_CLIP_GRAD,
  backendName: 'onednn',
  kernelFunc: clipGrad as unknown as KernelFunc,
};
