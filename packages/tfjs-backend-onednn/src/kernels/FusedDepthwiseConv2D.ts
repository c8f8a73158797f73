import {backend_util, FusedDepthwiseConv2D, FusedDepthwiseConv2DAttrs, FusedDepthwiseConv2DInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {convForward} from './conv_forward';
import {Backend, fallback, nativeCompatible} from './kernel_util';

function fusedDepthwiseConv2D(
    args: {inputs: FusedDepthwiseConv2DInputs, backend: Backend, attrs: FusedDepthwiseConv2DAttrs}) {
  const {inputs, backend, attrs} = args;
  const {x, filter, bias, preluActivationWeights} = inputs;
  if (attrs.dataFormat === 'NCHW' || !nativeCompatible(backend, x, filter, bias, preluActivationWeights)) {
    return fallback(FusedDepthwiseConv2D, args);
  }
  const dilations = attrs.dilations ?? [1, 1];
  const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides, dilations, attrs.pad, attrs.dimRoundingMode, true);
  return convForward(backend, {
    x, filter, info, groups: info.inChannels, bias, activation: attrs.activation,
    preluWeights: preluActivationWeights, leakyreluAlpha: attrs.leakyreluAlpha,
  });
}

export const fusedDepthwiseConv2DConfig: KernelConfig = {
  kernelName: FusedDepthwiseConv2D,
  backendName: 'onednn',
  kernelFunc: fusedDepthwiseConv2D as unknown as KernelFunc,
};
