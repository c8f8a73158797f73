import {engine, FusedBatchNorm, Tensor} from '@tensorflow/tfjs-core';
import {ONEDNN_BATCH_NORM_GRAD} from '../kernels/OnednnBatchNormGrad';
import {wrapGradient} from './native_gradient';

// tfjs's gradient runs ~20 elementwise, tile and sum kernels over the activation; this one
// computes dx and the four per-channel gradients in two native passes.
export function installBatchNormGradient(): void {
  wrapGradient(FusedBatchNorm, (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved;
    const c = x.shape[x.shape.length - 1];
    const perChannel = (t?: Tensor) => t == null || (t.rank === 1 && t.shape[0] === c);
    if (mean.rank !== 1 || !perChannel(mean) || !perChannel(variance) || !perChannel(scale) ||
        [x, dy, mean, variance, scale].some(t => t != null && t.dtype !== 'float32')) {
      return undefined;
    }
    const [dx, dMean, dVariance, dScale, dOffset] = engine().runKernel(
        ONEDNN_BATCH_NORM_GRAD, {x, dy, mean, variance, ...(scale ? {scale} : {})},
        {varianceEpsilon: (attrs as {varianceEpsilon: number}).varianceEpsilon}) as Tensor[];
    return {x: () => dx, mean: () => dMean, variance: () => dVariance, scale: () => dScale, offset: () => dOffset};
  });
}
