import { int, ints } from './onnx-graph';
import { imageInput, LayerContext, LayerConverter, pair, value } from './onnx-layer-context';
import { onnxPads } from './tf-padding';

function poolAttributes(ctx: LayerContext) {
  const x = imageInput(ctx);
  const kernel = pair(ctx.config.poolSize, 'poolSize', ctx);
  const strides = pair(ctx.config.strides ?? kernel, 'strides', ctx);
  const padding = String(ctx.config.padding);
  if (padding !== 'same' && padding !== 'valid') throw ctx.unsupported(`uses padding '${padding}'`);
  const pads = onnxPads(padding, [x.shape[0], x.shape[1]], kernel, strides);
  return { x, attributes: { kernel_shape: ints(kernel), strides: ints(strides), pads: ints(pads) } };
}

/** MaxPool pads with -inf, as TF's SAME max pooling ignores the padding. */
export const convertMaxPooling2D: LayerConverter = (ctx) => {
  const { x, attributes } = poolAttributes(ctx);
  return value(ctx.graph.add('MaxPool', [x.name], ctx.layer.name, attributes), ctx.outputShape, 'nchw');
};

/** TF's SAME average pooling divides by the pixels inside the image: count_include_pad = 0. */
export const convertAveragePooling2D: LayerConverter = (ctx) => {
  const { x, attributes } = poolAttributes(ctx);
  const y = ctx.graph.add('AveragePool', [x.name], ctx.layer.name, { ...attributes, count_include_pad: int(0) });
  return value(y, ctx.outputShape, 'nchw');
};

/** Global pooling keeps [N, C, 1, 1] in ONNX; tf.layers gives [N, C], hence the Flatten. */
function globalPool(opType: string): LayerConverter {
  return (ctx) => {
    const x = imageInput(ctx);
    if (ctx.config.keepDims === true) throw ctx.unsupported('uses keepDims');
    const pooled = ctx.graph.add(opType, [x.name], `${ctx.layer.name}_nchw`);
    return value(ctx.graph.add('Flatten', [pooled], ctx.layer.name, { axis: int(1) }), ctx.outputShape, 'plain');
  };
}

export const convertGlobalAveragePooling2D = globalPool('GlobalAveragePool');
export const convertGlobalMaxPooling2D = globalPool('GlobalMaxPool');
