// The kernels of BatchNorm in training (see gradients/batch_norm_training.ts): batch moments in
// one native kernel, the normalization under its own name (so its gradient can include the batch
// statistics' dependence on x), and that gradient in two native passes. tf.layers'
// BatchNormalization (layers/batch_norm_layer.ts) runs moments and normalization as one kernel,
// with the ReLU that follows it when there is one.
import {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {fusedBatchNormConfig} from './FusedBatchNorm';
import {activation, allocateActivation, holdsBf16, makeActivation} from '../activation_storage';
import {allocate, Backend, f32} from './kernel_util';

export const ONEDNN_MOMENTS = 'OnednnMoments';
export const ONEDNN_MOMENTS_GRAD = 'OnednnMomentsGrad';
export const ONEDNN_BATCH_NORM_TRAINING = 'OnednnBatchNormTraining';
export const ONEDNN_BATCH_NORM_TRAINING_GRAD = 'OnednnBatchNormTrainingGrad';
/** {x, scale, offset} → [y, mean, variance]: y = batchNorm(x) by x's own batch moments. */
export const ONEDNN_BATCH_NORM_LAYER = 'OnednnBatchNormLayer';
/**
 * The same with y = relu(batchNorm(x)), or min(relu(batchNorm(x)), reluMax) given that attribute
 * (a ReLU layer's maxValue: ReLU6); its gradient reads y.
 */
export const ONEDNN_BATCH_NORM_RELU_LAYER = 'OnednnBatchNormReluLayer';

const channelsOf = (x: TensorInfo) => x.shape[x.shape.length - 1];

/** {x} → [mean, variance] over every axis but the last (biased variance, as tf.moments). */
function moments(args: {inputs: {x: TensorInfo}, backend: Backend}) {
  const {inputs: {x}, backend} = args;
  const c = channelsOf(x);
  const mean = allocate([c]), variance = allocate([c]);
  native.moments(activation(backend, x), c, mean, variance);
  return [backend.makeTensorInfo([c], 'float32', mean), backend.makeTensorInfo([c], 'float32', variance)];
}

/** {x, mean, dMean, dVariance} → dx of the moments above. */
function momentsGrad(
    args: {inputs: {x: TensorInfo, mean: TensorInfo, dMean: TensorInfo, dVariance: TensorInfo}, backend: Backend}) {
  const {inputs: {x, mean, dMean, dVariance}, backend} = args;
  const dx = allocateActivation(x.shape, holdsBf16(backend, x));
  native.momentsGrad(
      activation(backend, x), f32(backend, mean), f32(backend, dMean), f32(backend, dVariance), channelsOf(x), dx);
  return makeActivation(backend, x.shape, dx);
}

/** Batch moments and normalization (then ReLU) as one kernel, for tf.layers' BatchNormalization. */
function batchNormLayer(relu: boolean) {
  return (args: {inputs: {x: TensorInfo, scale: TensorInfo, offset: TensorInfo}, backend: Backend,
                 attrs: {varianceEpsilon: number, reluMax?: number}}) => {
    const {inputs: {x, scale, offset}, backend, attrs} = args;
    const c = channelsOf(x);
    const mean = allocate([c]), variance = allocate([c]);
    const input = activation(backend, x);
    native.moments(input, c, mean, variance);
    const y = allocateActivation(x.shape, holdsBf16(backend, x));
    native.batchNorm(
        input, mean, variance, f32(backend, offset), f32(backend, scale), y, c, attrs.varianceEpsilon, relu,
        attrs.reluMax ?? null);
    return [
      makeActivation(backend, x.shape, y),
      backend.makeTensorInfo([c], 'float32', mean),
      backend.makeTensorInfo([c], 'float32', variance),
    ];
  };
}

/**
 * {x, dy, mean, variance, scale, y?} → [dx, dScale, dOffset] of normalization by x's own batch
 * statistics; with y, the output of relu(normalization) (capped at the reluMax attribute if any), of that.
 */
function batchNormTrainingGrad(args: {
  inputs: {x: TensorInfo, dy: TensorInfo, mean: TensorInfo, variance: TensorInfo, scale: TensorInfo, y?: TensorInfo},
  backend: Backend, attrs: {varianceEpsilon: number, reluMax?: number},
}) {
  const {inputs: {x, dy, mean, variance, scale, y}, backend, attrs} = args;
  const c = channelsOf(x);
  const dx = allocateActivation(x.shape, holdsBf16(backend, x)), dScale = allocate([c]), dOffset = allocate([c]);
  native.batchNormTrainingGrad(
      activation(backend, x), activation(backend, dy), f32(backend, mean), f32(backend, variance), f32(backend, scale),
      attrs.varianceEpsilon, c, dx, dScale, dOffset, y ? activation(backend, y) : null, attrs.reluMax ?? null);
  return [
    makeActivation(backend, x.shape, dx),
    backend.makeTensorInfo([c], 'float32', dScale),
    backend.makeTensorInfo([c], 'float32', dOffset),
  ];
}

export const onednnMomentsConfig: KernelConfig = {
  kernelName: ONEDNN_MOMENTS,
  backendName: 'onednn',
  kernelFunc: moments as unknown as KernelFunc,
};

export const onednnMomentsGradConfig: KernelConfig = {
  kernelName: ONEDNN_MOMENTS_GRAD,
  backendName: 'onednn',
  kernelFunc: momentsGrad as unknown as KernelFunc,
};

export const onednnBatchNormTrainingConfig: KernelConfig = {
  ...fusedBatchNormConfig,
  kernelName: ONEDNN_BATCH_NORM_TRAINING,
};

export const onednnBatchNormTrainingGradConfig: KernelConfig = {
  kernelName: ONEDNN_BATCH_NORM_TRAINING_GRAD,
  backendName: 'onednn',
  kernelFunc: batchNormTrainingGrad as unknown as KernelFunc,
};

export const onednnBatchNormLayerConfig: KernelConfig = {
  kernelName: ONEDNN_BATCH_NORM_LAYER,
  backendName: 'onednn',
  kernelFunc: batchNormLayer(false) as unknown as KernelFunc,
};

export const onednnBatchNormReluLayerConfig: KernelConfig = {
  kernelName: ONEDNN_BATCH_NORM_RELU_LAYER,
  backendName: 'onednn',
  kernelFunc: batchNormLayer(true) as unknown as KernelFunc,
};
