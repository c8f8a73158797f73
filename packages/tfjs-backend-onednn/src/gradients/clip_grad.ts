import {ClipByValue, engine, Tensor} from '@tensorflow/tfjs-core';
import {ONEDNN_CLIP_GRAD} from '../kernels/OnednnClipGrad';
import {wrapGradient} from './native_gradient';

// ReLU6 layers (MobileNet) clip by value; tfjs's gradient is five kernels, three of them JS loops.
export function installClipGradient(): void {
  wrapGradient(ClipByValue, (dy, saved, attrs) => {
    const [x] = saved;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.size === 0) return undefined;
    const {clipValueMin, clipValueMax} = attrs as {clipValueMin: number, clipValueMax: number};
    return {x: () => engine().runKernel(ONEDNN_CLIP_GRAD, {dy, x}, {clipValueMin, clipValueMax}) as Tensor};
  });
}
