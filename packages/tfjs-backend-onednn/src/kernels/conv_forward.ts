// The forward convolution every conv kernel (plain, fused, depthwise) shares.
import {backend_util, TensorInfo} from '@tensorflow/tfjs-core';
import {gradientDepth} from '../gradients/native_gradient';
import {native} from '../native';
import {weightsToken} from '../weight_tokens';
import {activationCode} from './activation';
import {convParams} from './conv_util';
import {applyBiasAndActivation, isChannelBias} from './fused_util';
import {activation as activationValues, allocateActivation, makeActivation} from '../activation_storage';
import {Backend, f32} from './kernel_util';

export interface ConvForwardArgs {
  x: TensorInfo;
  filter: TensorInfo;
  info: backend_util.Conv2DInfo;
  /** 1 for a plain convolution, the input channels for a depthwise one. */
  groups: number;
  bias?: TensorInfo;
  activation?: backend_util.Activation;
  preluWeights?: TensorInfo;
  leakyreluAlpha?: number;
}

export function convForward(backend: Backend, args: ConvForwardArgs): TensorInfo {
  const {x, filter, info, groups, bias, preluWeights} = args;
  const activation = args.activation ?? 'linear';
  const alpha = args.leakyreluAlpha ?? 0.2;
  const outShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  const out = allocateActivation(outShape, true);  // bf16 in bf16 mode, as autocast's
  const fuseBias = isChannelBias(bias, info.outChannels);
  const code = activationCode(activation);
  const fuseAll = fuseBias && code !== undefined;
  native.conv2dForward(
      activationValues(backend, x), f32(backend, filter), fuseBias && bias ? f32(backend, bias) : null, out,
      convParams(info, groups), fuseAll ? code : 0, alpha,
      gradientDepth() === 0 ? weightsToken(filter.dataId) : 0);  // an inference: its reordered weights are kept
  const result = makeActivation(backend, outShape, out);
  if (fuseAll) return result;
  return applyBiasAndActivation(
      backend, result, fuseBias ? undefined : bias, activation, preluWeights, alpha);
}
