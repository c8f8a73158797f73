import {engine, Square, Tensor} from '@tensorflow/tfjs-core';
import {ONEDNN_SQUARE_GRAD} from '../kernels/OnednnSquareGrad';
import {wrapGradient} from './native_gradient';

export function installSquareGradient(): void {
  wrapGradient(Square, (dy, saved) => {
    const [x] = saved;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.size === 0) return undefined;
    return {x: () => engine().runKernel(ONEDNN_SQUARE_GRAD, {a: dy, b: x}) as Tensor};
  });
}
