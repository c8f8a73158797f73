// BatchNorm in training as two native kernels forward and one backward.
//
// tf.layers' BatchNormalization (and any code written the same way) trains with
// `tf.moments(x, axes)` followed by `tf.batchNorm(x, mean, variance, offset, scale)`. tfjs runs
// moments as Mean, Sub, Square, Mean, and backpropagates through both ops: a dozen kernels
// over the activation. On this backend:
//  - tf.moments over every axis but the last runs one native kernel (OnednnMoments);
//  - tf.batchNorm given exactly those moments of the same x, while one gradient tape records,
//    runs under its own kernel name whose gradient is the full batch-norm gradient (batch
//    statistics included) in two native passes. The moments enter that kernel detached from
//    the tape, so no gradient flows back through them a second time; gradients that reach
//    the moments from elsewhere still go through OnednnMoments' own gradient.
// Everything else, grad of grad included, goes to tfjs's implementation.
import {engine, getBackend, NamedAttrMap, registerGradient, Tensor, util} from '@tensorflow/tfjs-core';
import type * as tfc from '@tensorflow/tfjs-core';
import {
  ONEDNN_BATCH_NORM_TRAINING, ONEDNN_BATCH_NORM_TRAINING_GRAD, ONEDNN_MOMENTS, ONEDNN_MOMENTS_GRAD,
} from '../kernels/OnednnBatchNormTraining';
import {gradientDepth} from './native_gradient';

type Moments = typeof tfc.moments;
type BatchNorm = typeof tfc.batchNorm;
type BatchNormArgs = Parameters<BatchNorm>;

/** The x whose batch moments a mean tensor is, and the variance computed with it. */
const momentsOf = new WeakMap<Tensor, {x: Tensor, variance: Tensor}>();

const installed = Symbol('onednn.batchNormTraining');
type Patchable = Record<string, Function & {[installed]?: true}>;

export function installBatchNormTraining(): void {
  // tfjs-core's CommonJS exports, which tf.layers reads its ops from at each call. (An
  // `import * as` namespace may be a read-only copy of them; ES-module bundles are read-only too.)
  const ops = require('@tensorflow/tfjs-core') as Patchable;
  if (ops.moments[installed] || !Object.getOwnPropertyDescriptor(ops, 'moments')?.writable) return;
  const stockMoments = ops.moments as Moments;
  ops.moments = Object.assign(
      ((x, axis, keepDims) => nativeMoments(x, axis, keepDims) ?? stockMoments(x, axis, keepDims)) as Moments,
      {[installed]: true as const});
  // tf.layers calls batchNorm2d/3d/4d by rank; each checks ranks and calls batchNorm.
  for (const name of ['batchNorm', 'batchNorm2d', 'batchNorm3d', 'batchNorm4d']) {
    const stock = ops[name] as BatchNorm;
    if (!Object.getOwnPropertyDescriptor(ops, name)?.writable) continue;
    ops[name] = ((...args: BatchNormArgs) => trainingBatchNorm(...args) ?? stock(...args)) as BatchNorm;
  }

  registerGradient({
    kernelName: ONEDNN_MOMENTS,
    inputsToSave: ['x'],
    outputsToSave: [true, false],
    gradFunc: (dys, saved) => {
      const [dMean, dVariance] = dys as Tensor[];
      const [x, mean] = saved;
      return {x: () => engine().runKernel(ONEDNN_MOMENTS_GRAD, {x, mean, dMean, dVariance}) as Tensor};
    },
  });
  registerGradient({
    kernelName: ONEDNN_BATCH_NORM_TRAINING,
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved;
      // mean and variance enter detached (never on a path to x): their gradients are never asked for.
      const detached = () => {
        throw new Error('onednn: no gradient flows through the detached batch statistics');
      };
      return {
        ...batchNormTrainingGradients(x, dy as Tensor, mean, variance, scale, (attrs as {varianceEpsilon: number}).varianceEpsilon),
        mean: detached, variance: detached,
      };
    },
  });
}

/**
 * The gradients of x, scale and offset of a normalization by x's own batch statistics — then a ReLU,
 * given its output y (capped at reluMax if given) — computed at once by one native kernel.
 */
export function batchNormTrainingGradients(
    x: Tensor, dy: Tensor, mean: Tensor, variance: Tensor, scale: Tensor, varianceEpsilon: number, y?: Tensor,
    reluMax?: number) {
  const [dx, dScale, dOffset] = engine().runKernel(
      ONEDNN_BATCH_NORM_TRAINING_GRAD, {x, dy, mean, variance, scale, ...(y ? {y} : {})},
      {varianceEpsilon, ...(reluMax != null ? {reluMax} : {})} as unknown as NamedAttrMap) as Tensor[];
  return {x: () => dx, scale: () => dScale, offset: () => dOffset};
}

function onNativePath(x: Tensor): boolean {
  return getBackend() === 'onednn' && x.dtype === 'float32' && x.rank >= 2 && x.size > 0;
}

/** Moments over every axis but the last of a float32 tensor, natively; undefined for tfjs's path. */
function nativeMoments(x: Parameters<Moments>[0], axis?: number|number[], keepDims = false) {
  if (!(x instanceof Tensor) || axis == null || keepDims || gradientDepth() > 1 || !onNativePath(x)) return undefined;
  const axes = util.parseAxisParam(axis, x.shape).slice().sort((a, b) => a - b);
  if (!util.arraysEqual(axes, Array.from({length: x.rank - 1}, (_, i) => i))) return undefined;
  const [mean, variance] = engine().runKernel(ONEDNN_MOMENTS, {x}) as Tensor[];
  momentsOf.set(mean, {x, variance});
  return {mean, variance};
}

/** tf.batchNorm of x by its own batch moments, with per-channel scale and offset, while training. */
function trainingBatchNorm(...[x, mean, variance, offset, scale, varianceEpsilon]: BatchNormArgs) {
  if (gradientDepth() !== 1 || !(x instanceof Tensor) || !(mean instanceof Tensor) || !onNativePath(x)) return undefined;
  const stats = momentsOf.get(mean);
  if (stats == null || stats.x !== x || stats.variance !== variance) return undefined;
  const c = x.shape[x.rank - 1];
  const perChannel = (t: unknown): t is Tensor =>
      t instanceof Tensor && t.dtype === 'float32' && t.rank === 1 && t.shape[0] === c;
  if (!perChannel(scale) || !perChannel(offset)) return undefined;
  // New handles on the same data, unknown to the tape: the gradient below already includes
  // the statistics' dependence on x.
  const detach = (t: Tensor) => {
    (engine().backend as unknown as {incRef(dataId: object): void}).incRef(t.dataId);
    return engine().makeTensorFromTensorInfo({dataId: t.dataId, shape: t.shape, dtype: t.dtype});
  };
  const detachedMean = detach(mean), detachedVariance = detach(stats.variance);
  const y = engine().runKernel(
      ONEDNN_BATCH_NORM_TRAINING, {x, mean: detachedMean, variance: detachedVariance, offset, scale},
      {varianceEpsilon: varianceEpsilon ?? 0.001} as unknown as NamedAttrMap) as Tensor;
  detachedMean.dispose();
  detachedVariance.dispose();
  return y;
}
