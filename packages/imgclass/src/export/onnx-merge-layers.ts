import { int } from './onnx-graph';
import { imageInput, LayerContext, LayerConverter, value } from './onnx-layer-context';

function sameLayout(ctx: LayerContext): 'nchw' | 'plain' {
  const layouts = new Set(ctx.inputs.map((x) => x.layout));
  if (ctx.inputs.length < 2 || layouts.size !== 1) throw ctx.unsupported('merges inputs of different ranks');
  return ctx.inputs[0].layout;
}

/** Add (ResNet's residual sum): Add for two inputs, Sum for more. */
export const convertAdd: LayerConverter = (ctx) => {
  const layout = sameLayout(ctx);
  const op = ctx.inputs.length === 2 ? 'Add' : 'Sum';
  return value(ctx.graph.add(op, ctx.inputs.map((x) => x.name), ctx.layer.name), ctx.outputShape, layout);
};

/** Concatenate: a tfjs NHWC axis becomes the matching NCHW axis for 4-D values. */
export const convertConcatenate: LayerConverter = (ctx) => {
  const layout = sameLayout(ctx);
  const rank = ctx.inputs[0].shape.length + 1;
  let axis = Number(ctx.config.axis ?? -1);
  if (axis < 0) axis += rank;
  if (layout === 'nchw') axis = [0, 2, 3, 1][axis];
  const y = ctx.graph.add('Concat', ctx.inputs.map((x) => x.name), ctx.layer.name, { axis: int(axis) });
  return value(y, ctx.outputShape, layout);
};

/** ZeroPadding2D as Pad with NCHW pads [0, 0, top, left, 0, 0, bottom, right]. */
export const convertZeroPadding2D: LayerConverter = (ctx) => {
  const x = imageInput(ctx);
  const p = ctx.config.padding as [[number, number], [number, number]];
  const [[top, bottom], [left, right]] = p;
  const pads = ctx.graph.constant(`${ctx.layer.name}_pads`, [8], BigInt64Array.from([0, 0, top, left, 0, 0, bottom, right].map(BigInt)));
  return value(ctx.graph.add('Pad', [x.name, pads], ctx.layer.name), ctx.outputShape, 'nchw');
};
