import { applyActivation } from './onnx-activations';
import { int, ints } from './onnx-graph';
import { imageInput, LayerContext, LayerConverter, pair, transposed, value, weight, floats } from './onnx-layer-context';
import { onnxPads } from './tf-padding';

/** Kernel, strides, dilations and explicit TF-equivalent pads for a 2-D convolution. */
function convGeometry(ctx: LayerContext, kernelHW: [number, number]) {
  const x = imageInput(ctx);
  const strides = pair(ctx.config.strides ?? 1, 'strides', ctx);
  const dilations = pair(ctx.config.dilationRate ?? 1, 'dilationRate', ctx);
  const padding = String(ctx.config.padding);
  if (padding !== 'same' && padding !== 'valid') throw ctx.unsupported(`uses padding '${padding}'`);
  if ((strides[0] > 1 || strides[1] > 1) && (dilations[0] > 1 || dilations[1] > 1)) {
    throw ctx.unsupported('combines strides and dilation');
  }
  const pads = onnxPads(padding, [x.shape[0], x.shape[1]], kernelHW, strides, dilations);
  return {
    x,
    attributes: { kernel_shape: ints(kernelHW), strides: ints(strides), dilations: ints(dilations), pads: ints(pads) },
  };
}

function biasInput(ctx: LayerContext): string[] {
  if (ctx.config.useBias === false) return [];
  const b = weight(ctx, 'bias');
  return [ctx.graph.constant(`${ctx.layer.name}_bias`, b.shape, floats(b))];
}

/** Conv2D: tfjs kernel [kh, kw, in, out] -> ONNX W [out, in, kh, kw]. */
export const convertConv2D: LayerConverter = (ctx) => {
  const kernel = weight(ctx, 'kernel');
  const [kh, kw] = kernel.shape;
  const { x, attributes } = convGeometry(ctx, [kh, kw]);
  const w = transposed(kernel, [3, 2, 0, 1]);
  const wName = ctx.graph.constant(`${ctx.layer.name}_kernel`, w.dims, w.data);
  const y = ctx.graph.add('Conv', [x.name, wName, ...biasInput(ctx)], ctx.layer.name, { ...attributes, group: int(1) });
  return applyActivation(ctx, value(y, ctx.outputShape, 'nchw'), ctx.config.activation);
};

/**
 * DepthwiseConv2D as a grouped Conv with one group per input channel.
 * tfjs kernel [kh, kw, in, mult] -> ONNX W [in * mult, 1, kh, kw]; TF orders
 * the outputs channel-major (c * mult + m), which is also ONNX's group order.
 */
export const convertDepthwiseConv2D: LayerConverter = (ctx) => {
  const kernel = weight(ctx, 'depthwise_kernel');
  const [kh, kw, channels, multiplier] = kernel.shape;
  const { x, attributes } = convGeometry(ctx, [kh, kw]);
  const w = transposed(kernel, [2, 3, 0, 1]);
  const wName = ctx.graph.constant(`${ctx.layer.name}_kernel`, [channels * multiplier, 1, kh, kw], w.data);
  const y = ctx.graph.add('Conv', [x.name, wName, ...biasInput(ctx)], ctx.layer.name, { ...attributes, group: int(channels) });
  return applyActivation(ctx, value(y, ctx.outputShape, 'nchw'), ctx.config.activation);
};
