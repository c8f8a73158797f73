import {backend_util, DepthwiseConv2dNative, DepthwiseConv2dNativeAttrs, DepthwiseConv2dNativeInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {convForward} from './conv_forward';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';

function depthwiseConv2dNative(
    args: {inputs: Inputs<DepthwiseConv2dNativeInputs>, backend: Backend, attrs: DepthwiseConv2dNativeAttrs}) {
  const {inputs, backend, attrs} = args;
  const {x, filter} = inputs;
  if (!nativeCompatible(backend, x, filter)) return fallback(DepthwiseConv2dNative, args);
  const dilations = attrs.dilations ?? [1, 1];
  const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides, dilations, attrs.pad, attrs.dimRoundingMode, true);
  return convForward(backend, {x, filter, info, groups: info.inChannels});
}

export const depthwiseConv2dNativeConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNative,
  backendName: 'onednn',
  kernelFunc: depthwiseConv2dNative as unknown as KernelFunc,
};
