import {backend_util, DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropFilterAttrs, DepthwiseConv2dNativeBackpropFilterInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {convBackwardFilter} from './conv_backward';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';

function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: Inputs<DepthwiseConv2dNativeBackpropFilterInputs>, backend: Backend,
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs
}) {
  const {inputs, backend, attrs} = args;
  const {x, dy} = inputs;
  if (!nativeCompatible(backend, x, dy)) return fallback(DepthwiseConv2dNativeBackpropFilter, args);
  const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, attrs.dilations,
      attrs.pad, attrs.dimRoundingMode, true);
  return convBackwardFilter(backend, x, dy, info, attrs.filterShape, info.inChannels);
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'onednn',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
