import {backend_util, Conv2DBackpropInput, Conv2DBackpropInputAttrs, Conv2DBackpropInputInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {convBackwardData, dyToken} from './conv_backward';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';

function conv2DBackpropInput(
    args: {inputs: Inputs<Conv2DBackpropInputInputs>, backend: Backend, attrs: Conv2DBackpropInputAttrs}) {
  const {inputs, backend, attrs} = args;
  const {dy, filter} = inputs;
  if (attrs.dataFormat === 'NCHW' || !nativeCompatible(backend, dy, filter)) {
    return fallback(Conv2DBackpropInput, args);
  }
  const info = backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad,
      attrs.dimRoundingMode, false, 'channelsLast');
  // A dy that doesn't fit the forward's output (TensorFlow rejects it; tfjs computes on).
  if (dy.shape[1] !== info.outHeight || dy.shape[2] !== info.outWidth) return fallback(Conv2DBackpropInput, args);
  return convBackwardData(backend, dy, filter, info, 1, dyToken(attrs));
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'onednn',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
