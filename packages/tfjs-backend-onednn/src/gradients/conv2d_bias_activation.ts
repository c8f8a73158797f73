// Convolution + bias + ReLU as one kernel while training, as in inference.
//
// tf.layers' Conv2D calls tf.fused.conv2d, but tfjs-core fuses only when no gradient is being
// recorded (its `shouldFuse`): while training, each conv layer runs Conv2D, then Add over the whole
// activation, then Relu. The gradient of the fused form needs only the output (ReLU's derivative
// is 1 where the output is positive), so on this backend, while one gradient tape is recording,
// tf.fused.conv2d with a ReLU (or none, with a bias) runs the fused kernel under a kernel
// name whose gradient is registered here. Everything else goes to tfjs's own implementation.
// Without an activation or bias (conv → BatchNorm) it is still taken: tfjs's fused op computes
// the input's gradient eagerly in a custom gradient, while the tape calls these closures only for
// inputs on the path to a variable — the first layer's gradient for the pictures is never computed.
import {Conv2DBackpropFilter, Conv2DBackpropInput, engine, fused, getBackend, NamedAttrMap, NamedTensorMap, registerGradient, sum, Tensor, Tensor4D} from '@tensorflow/tfjs-core';
import {DY_TOKEN, newDyToken} from '../kernels/conv_backward';
import {ONEDNN_RELU_GRAD} from '../kernels/OnednnReluGrad';
import {ONEDNN_TRAINING_CONV2D} from '../kernels/OnednnTrainingConv2D';
import {gradientDepth} from './native_gradient';

type FusedConv2DArgs = Parameters<typeof fused.conv2d>[0];
type ConvAttrs = {
  strides: [number, number]|number, pad: FusedConv2DArgs['pad'], dataFormat: 'NHWC',
  dilations: [number, number]|number, dimRoundingMode?: 'floor'|'round'|'ceil', activation: string,
};

/** Activations whose derivative can be read off the output. */
const FROM_OUTPUT = new Set(['linear', 'relu']);

const installed = Symbol('onednn.trainingConv2d');

export function installConv2dBiasActivation(): void {
  const ops = fused as unknown as {conv2d: typeof fused.conv2d & {[installed]?: true}};
  // ES-module namespaces (bundles) are read-only; tfjs-core's CommonJS build, which Node loads, is not.
  if (ops.conv2d[installed] || !Object.getOwnPropertyDescriptor(ops, 'conv2d')?.writable) return;
  const stock = ops.conv2d;
  const conv2d = ((args: FusedConv2DArgs) => trainingConv2d(args) ?? stock(args)) as typeof ops.conv2d;
  conv2d[installed] = true;
  ops.conv2d = conv2d;
  registerGradient({
    kernelName: ONEDNN_TRAINING_CONV2D,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dyOrDys, saved, attrs) => {
      const dy = dyOrDys as Tensor4D;
      const [x, filter, y] = saved as Tensor4D[];
      const {strides, pad, dimRoundingMode, activation} = attrs as unknown as ConvAttrs;
      // Computed once for the three gradients (they are evaluated one by one, in their own scopes).
      const dyActivation = activation === 'linear' ? dy : engine().runKernel(ONEDNN_RELU_GRAD, {dy, x: y}) as Tensor4D;
      // One token for both backprops: in bf16 mode dy is converted once.
      const common = {strides, pad, dataFormat: 'NHWC', dimRoundingMode, [DY_TOKEN]: newDyToken()} as NamedAttrMap;
      return {
        x: () => engine().runKernel(Conv2DBackpropInput, {dy: dyActivation, filter}, {...common, inputShape: x.shape}) as Tensor,
        filter: () => engine().runKernel(Conv2DBackpropFilter, {x, dy: dyActivation}, {...common, filterShape: filter.shape}) as Tensor,
        bias: () => sum(dyActivation, [0, 1, 2]),
      };
    },
  });
}

/** The fused kernel, recorded with the gradient above, or undefined where tfjs's path applies. */
function trainingConv2d(args: FusedConv2DArgs): Tensor4D|undefined {
  const {x, filter, bias, strides, pad, dimRoundingMode, preluActivationWeights} = args;
  const activation = args.activation ?? 'linear';
  const dataFormat = args.dataFormat ?? 'NHWC';
  const dilations = args.dilations ?? [1, 1];
  if (gradientDepth() !== 1 || getBackend() !== 'onednn' || !FROM_OUTPUT.has(activation) ||
      preluActivationWeights != null || dataFormat !== 'NHWC') {
    return undefined;
  }
  if (!(x instanceof Tensor) || !(filter instanceof Tensor) || (bias != null && !(bias instanceof Tensor))) return undefined;
  if (x.rank !== 4 || filter.rank !== 4 || x.dtype !== 'float32' || filter.dtype !== 'float32' ||
      x.shape[3] !== filter.shape[2]) {
    return undefined;  // tfjs's path reshapes rank 3 and reports bad shapes
  }
  if (bias != null && !(bias.dtype === 'float32' && bias.rank === 1 && bias.shape[0] === filter.shape[3])) return undefined;
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (dh !== 1 || dw !== 1) return undefined;  // as tfjs: no gradient for dilated fused convolutions
  const attrs: ConvAttrs = {strides, pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode, activation};
  const inputs: NamedTensorMap = bias != null ? {x, filter, bias} : {x, filter};
  return engine().runKernel(ONEDNN_TRAINING_CONV2D, inputs, attrs as unknown as NamedAttrMap) as Tensor4D;
}
