import {backend_util, Conv2DBackpropFilter, Conv2DBackpropFilterAttrs, Conv2DBackpropFilterInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {convBackwardFilter, dyToken} from './conv_backward';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';

function conv2DBackpropFilter(
    args: {inputs: Inputs<Conv2DBackpropFilterInputs>, backend: Backend, attrs: Conv2DBackpropFilterAttrs}) {
  const {inputs, backend, attrs} = args;
  const {x, dy} = inputs;
  if (attrs.dataFormat === 'NCHW' || !nativeCompatible(backend, x, dy)) {
    return fallback(Conv2DBackpropFilter, args);
  }
  const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad,
      attrs.dimRoundingMode, false, 'channelsLast');
  return convBackwardFilter(backend, x, dy, info, attrs.filterShape, 1, dyToken(attrs));
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'onednn',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
