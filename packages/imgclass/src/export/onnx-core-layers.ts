import { applyActivation, clip } from './onnx-activations';
import { float, int, ints } from './onnx-graph';
import { floats, LayerConverter, onlyInput, value, weight } from './onnx-layer-context';

/**
 * Flatten in tf.layers order. A 4-D value is NCHW in the graph, so it goes
 * back to NHWC first: flattening NCHW would scramble the features the next
 * Dense layer's kernel rows were trained on.
 */
export const convertFlatten: LayerConverter = (ctx) => {
  const x = onlyInput(ctx);
  if (x.layout === 'plain' && x.shape.length === 1) return { ...x, softmaxOf: undefined };
  const source = x.layout === 'nchw' ? ctx.graph.add('Transpose', [x.name], `${ctx.layer.name}_nhwc`, { perm: ints([0, 2, 3, 1]) }) : x.name;
  return value(ctx.graph.add('Flatten', [source], ctx.layer.name, { axis: int(1) }), ctx.outputShape, 'plain');
};

/** Dense on [N, K]: Gemm with the tfjs kernel [K, M] as B (no transpose needed), or MatMul without bias. */
export const convertDense: LayerConverter = (ctx) => {
  const x = onlyInput(ctx);
  if (x.layout !== 'plain' || x.shape.length !== 1) throw ctx.unsupported(`is applied to a ${x.shape.length + 1}-D input; only [batch, features] is supported`);
  const kernel = weight(ctx, 'kernel');
  const k = ctx.graph.constant(`${ctx.layer.name}_kernel`, kernel.shape, floats(kernel));
  let y: string;
  if (ctx.config.useBias === false) {
    y = ctx.graph.add('MatMul', [x.name, k], ctx.layer.name);
  } else {
    const b = weight(ctx, 'bias');
    const bias = ctx.graph.constant(`${ctx.layer.name}_bias`, b.shape, floats(b));
    y = ctx.graph.add('Gemm', [x.name, k, bias], ctx.layer.name);
  }
  return applyActivation(ctx, value(y, ctx.outputShape, 'plain'), ctx.config.activation);
};

/** Inference-mode BatchNormalization over the channel axis (the last in tfjs, axis 1 in ONNX). */
export const convertBatchNormalization: LayerConverter = (ctx) => {
  const x = onlyInput(ctx);
  const rank = x.shape.length + 1;
  const axis = Number(ctx.config.axis);
  const lastAxis = axis === -1 || axis === rank - 1;
  if (!lastAxis || !(x.layout === 'nchw' || rank === 2)) throw ctx.unsupported(`normalizes axis ${axis} of a ${rank}-D input; only the channel (last) axis is supported`);
  const mean = weight(ctx, 'moving_mean');
  const channels = mean.shape[0];
  const param = (name: string, present: boolean, fill: number) =>
    ctx.graph.constant(`${ctx.layer.name}_${name}`, [channels], present ? floats(weight(ctx, name)) : new Float32Array(channels).fill(fill));
  const inputs = [
    x.name,
    param('gamma', ctx.config.scale !== false, 1),
    param('beta', ctx.config.center !== false, 0),
    param('moving_mean', true, 0),
    param('moving_variance', true, 1),
  ];
  const y = ctx.graph.add('BatchNormalization', inputs, ctx.layer.name, { epsilon: float(Number(ctx.config.epsilon)) });
  return value(y, ctx.outputShape, x.layout);
};

/**
 * tf.nn.lrn: x / (bias + alpha * sum over [c - r, c + r] of x^2)^beta.
 * ONNX LRN divides alpha by its window size, so size = 2r + 1 and alpha is scaled up by it.
 */
export const convertLocalResponseNormalization: LayerConverter = (ctx) => {
  const x = onlyInput(ctx);
  if (x.layout !== 'nchw') throw ctx.unsupported('needs a 4-D input');
  const { depthRadius, bias, alpha, beta } = ctx.config as { depthRadius: number; bias: number; alpha: number; beta: number };
  const size = 2 * depthRadius + 1;
  const y = ctx.graph.add('LRN', [x.name], ctx.layer.name, {
    size: int(size),
    alpha: float(alpha * size),
    beta: float(beta),
    bias: float(bias),
  });
  return value(y, ctx.outputShape, 'nchw');
};

export const convertActivation: LayerConverter = (ctx) => applyActivation(ctx, onlyInput(ctx), ctx.config.activation);

/** tf.layers.reLU: plain ReLU, or capped at maxValue (ReLU6 in MobileNet) as a Clip. */
export const convertReLU: LayerConverter = (ctx) => {
  const x = onlyInput(ctx);
  const maxValue = ctx.config.maxValue;
  if (maxValue === null || maxValue === undefined) return value(ctx.graph.add('Relu', [x.name], ctx.layer.name), x.shape, x.layout);
  return value(clip(ctx, x.name, 0, Number(maxValue), ctx.layer.name), x.shape, x.layout);
};

export const convertLeakyReLU: LayerConverter = (ctx) => {
  const x = onlyInput(ctx);
  const alpha = Number(ctx.config.alpha ?? 0.3);
  return value(ctx.graph.add('LeakyRelu', [x.name], ctx.layer.name, { alpha: float(alpha) }), x.shape, x.layout);
};

export const convertSoftmax: LayerConverter = (ctx) => {
  const axis = ctx.config.axis ?? -1;
  if (axis !== -1 && axis !== onlyInput(ctx).shape.length) throw ctx.unsupported(`takes softmax over axis ${String(axis)}; only the last axis is supported`);
  return applyActivation(ctx, onlyInput(ctx), 'softmax');
};

/** Dropout and noise layers do nothing at inference time. */
export const convertIdentity: LayerConverter = (ctx) => ({ ...onlyInput(ctx), softmaxOf: undefined });
