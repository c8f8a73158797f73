import {backend_util, FusedConv2D, FusedConv2DAttrs, FusedConv2DInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {convForward} from './conv_forward';
import {Backend, fallback, nativeCompatible} from './kernel_util';

function fusedConv2D(args: {inputs: FusedConv2DInputs, backend: Backend, attrs: FusedConv2DAttrs}) {
  const {inputs, backend, attrs} = args;
  const {x, filter, bias, preluActivationWeights} = inputs;
  if (attrs.dataFormat === 'NCHW' || !nativeCompatible(backend, x, filter, bias, preluActivationWeights)) {
    return fallback(FusedConv2D, args);
  }
  const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return convForward(backend, {
    x, filter, info, groups: 1, bias, activation: attrs.activation,
    preluWeights: preluActivationWeights, leakyreluAlpha: attrs.leakyreluAlpha,
  });
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'onednn',
  kernelFunc: fusedConv2D as unknown as KernelFunc,
};
