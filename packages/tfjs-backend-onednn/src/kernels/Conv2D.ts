import {backend_util, Conv2D, Conv2DAttrs, Conv2DInputs, KernelConfig, KernelFunc, Tensor4D} from '@tensorflow/tfjs-core';
import {convForward} from './conv_forward';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';

function conv2D(args: {inputs: Inputs<Conv2DInputs>, backend: Backend, attrs: Conv2DAttrs}) {
  const {inputs, backend, attrs} = args;
  const {x, filter} = inputs;
  if (attrs.dataFormat === 'NCHW' || !nativeCompatible(backend, x, filter)) return fallback(Conv2D, args);
  const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return convForward(backend, {x, filter, info, groups: 1});
}

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'onednn',
  kernelFunc: conv2D as unknown as KernelFunc,
};
