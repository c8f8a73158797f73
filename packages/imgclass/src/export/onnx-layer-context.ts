import * as tf from '@tensorflow/tfjs';
import { ExportError, unsupportedLayer } from './export-error';
import { OnnxGraph, OnnxValue } from './onnx-graph';

/** What a layer converter gets: the layer, its inputs already in the graph, its weights by short name. */
export interface LayerContext {
  graph: OnnxGraph;
  layer: tf.layers.Layer;
  className: string;
  config: tf.serialization.ConfigDict;
  inputs: OnnxValue[];
  /** tf.layers output shape without the batch axis. */
  outputShape: number[];
  /** 'kernel', 'bias', 'gamma', 'moving_mean', 'depthwise_kernel', ... */
  weights: Map<string, tf.Tensor>;
  unsupported(detail: string): ExportError;
}

/** Turns one tf.layers layer into ONNX nodes; returns the value the layer outputs. */
export type LayerConverter = (ctx: LayerContext) => OnnxValue;

export function createLayerContext(graph: OnnxGraph, layer: tf.layers.Layer, inputs: OnnxValue[]): LayerContext {
  const className = layer.getClassName();
  const values = layer.getWeights();
  const weights = new Map<string, tf.Tensor>();
  layer.weights.forEach((w, i) => weights.set(w.originalName.split('/').pop() ?? w.originalName, values[i]));
  const outputShape = (layer.outputShape as (number | null)[]).slice(1).map((d) => d ?? -1);
  return {
    graph,
    layer,
    className,
    config: layer.getConfig(),
    inputs,
    outputShape,
    weights,
    unsupported: (detail) => unsupportedLayer('ONNX', layer.name, className, detail),
  };
}

/** The single input of a layer that takes one. */
export function onlyInput(ctx: LayerContext): OnnxValue {
  if (ctx.inputs.length !== 1) throw ctx.unsupported(`has ${ctx.inputs.length} inputs where one is expected`);
  return ctx.inputs[0];
}

/** A 4-D (image-like) input, which the graph holds as NCHW. */
export function imageInput(ctx: LayerContext): OnnxValue {
  const x = onlyInput(ctx);
  if (x.layout !== 'nchw') throw ctx.unsupported(`needs a 4-D input but gets shape [${x.shape}]`);
  if (ctx.config.dataFormat !== undefined && ctx.config.dataFormat !== 'channelsLast') {
    throw ctx.unsupported(`uses dataFormat '${String(ctx.config.dataFormat)}' (only channelsLast is supported)`);
  }
  return x;
}

/** `3` or `[3, 3]` -> `[3, 3]`. */
export function pair(v: unknown, what: string, ctx: LayerContext): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number')) return [v[0], v[1]];
  throw ctx.unsupported(`has an unexpected ${what} ${JSON.stringify(v)}`);
}

export function weight(ctx: LayerContext, name: string): tf.Tensor {
  const w = ctx.weights.get(name);
  if (!w) throw ctx.unsupported(`has no '${name}' weight`);
  return w;
}

/** A tensor's values as float32 (copied out of the backend). */
export function floats(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as ArrayLike<number>);
}

/** Transposes a weight with tfjs and returns its values and new shape. */
export function transposed(t: tf.Tensor, perm: number[]): { dims: number[]; data: Float32Array } {
  const out = tf.tidy(() => tf.transpose(t, perm));
  const result = { dims: out.shape.slice(), data: floats(out) };
  out.dispose();
  return result;
}

export function value(name: string, shape: number[], layout: OnnxValue['layout']): OnnxValue {
  return { name, shape, layout };
}
