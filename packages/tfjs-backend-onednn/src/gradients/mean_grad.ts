import {engine, Mean, reshape, Tensor, util} from '@tensorflow/tfjs-core';
import {ONEDNN_MEAN_GRAD} from '../kernels/OnednnMeanGrad';
import {wrapGradient} from './native_gradient';

export function installMeanGradient(): void {
  wrapGradient(Mean, (dy, saved, attrs) => {
    const [x] = saved;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.size === 0 || x.rank === 0) return undefined;
    const axes = util.parseAxisParam((attrs as {axis: number|number[]}).axis, x.shape);
    const expanded = x.shape.map((d, i) => axes.includes(i) ? 1 : d);
    const reduceSize = util.sizeFromShape(axes.map(a => x.shape[a]));
    return {
      x: () => engine().runKernel(ONEDNN_MEAN_GRAD, {dy: reshape(dy, expanded)}, {shape: x.shape, reduceSize}) as Tensor,
    };
  });
}
