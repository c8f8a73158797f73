import {backend_util, DepthwiseConv2dNativeBackpropInput, DepthwiseConv2dNativeBackpropInputAttrs, DepthwiseConv2dNativeBackpropInputInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {convBackwardData} from './conv_backward';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';

function depthwiseConv2dNativeBackpropInput(args: {
  inputs: Inputs<DepthwiseConv2dNativeBackpropInputInputs>, backend: Backend,
  attrs: DepthwiseConv2dNativeBackpropInputAttrs
}) {
  const {inputs, backend, attrs} = args;
  const {dy, filter} = inputs;
  if (!nativeCompatible(backend, dy, filter)) return fallback(DepthwiseConv2dNativeBackpropInput, args);
  const info = backend_util.computeConv2DInfo(
      attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, attrs.dilations,
      attrs.pad, attrs.dimRoundingMode, true);
  if (dy.shape[1] !== info.outHeight || dy.shape[2] !== info.outWidth) {
    return fallback(DepthwiseConv2dNativeBackpropInput, args);
  }
  return convBackwardData(backend, dy, filter, info, info.inChannels);
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'onednn',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
