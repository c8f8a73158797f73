import {engine, Relu, Tensor} from '@tensorflow/tfjs-core';
import {ONEDNN_RELU_GRAD} from '../kernels/OnednnReluGrad';
import {wrapGradient} from './native_gradient';

export function installReluGradient(): void {
  wrapGradient(Relu, (dy, saved) => {
    const [x] = saved;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.size === 0) return undefined;
    return {x: () => engine().runKernel(ONEDNN_RELU_GRAD, {dy, x}) as Tensor};
  });
}
