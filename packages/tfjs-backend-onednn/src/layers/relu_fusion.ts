// A ReLU layer folded into the layer before it, while a tf.layers model runs its own graph.
//
// In a ResNet every BatchNormalization before a ReLU, and every residual Add, is followed by an
// Activation('relu') layer: one more kernel over the activation forward and one (ReluGrad)
// backward, each with its tape bookkeeping. In a MobileNet every BatchNormalization is followed by
// a ReLU(maxValue: 6) layer: tf.layers runs it as Relu then ClipByValue, four kernels forward and
// backward. When a model runs its graph (training through fit/fitDataset/trainOnBatch, predict, or
// the model called as a layer), this module knows the graph: a BatchNormalization whose only reader
// is a ReLU layer (capped or not), or an Add whose only reader is a plain ReLU layer — and whose
// output is not one of the model's outputs — computes the ReLU itself (batch_norm_layer.ts; the Add
// here), and that ReLU layer then passes its input on. Outside a model's graph (a layer called
// directly) and on other backends, every layer runs as it always does. A capped ReLU's gradient is
// TensorFlow's Relu6Grad (zero at the cap itself, where tf.layers' ClipByValue passes it), and in bf16
// its output stays bf16 where ClipByValue's is float32: there training is not bit for bit the stock
// layers', only as close to float32's.
import {engine, getBackend, NamedTensorMap, Tensor, util} from '@tensorflow/tfjs-core';
import {ONEDNN_ADD_RELU} from '../kernels/OnednnAddRelu';

/** The parts of tf.layers' Layer and Node read here. */
export interface LayerLike {
  name: string;
  inboundNodes: Array<{outputTensors: Array<{id: number}>}>;
  outboundNodes: Array<{outboundLayer: LayerLike}>;
  getClassName(): string;
  getConfig(): {[key: string]: unknown};
  call(inputs: Tensor|Tensor[], kwargs: {[key: string]: unknown}): Tensor|Tensor[];
}

interface ReluLayer extends LayerLike {
  built: boolean;
  apply(inputs: unknown, kwargs?: {[key: string]: unknown}): unknown;
}

interface ModelLike {
  layers: LayerLike[];
  outputs: Array<{id: number}>;
}

/** A ReLU layer folded into the layer before it: min(max(·, 0), max), max +Infinity for a plain ReLU. */
export interface FoldedRelu {
  layer: LayerLike;
  max: number;
}

/** For the model whose graph is running: each layer that applies the ReLU after it, and that ReLU. */
type Plan = Map<LayerLike, FoldedRelu>;

const plans = new WeakMap<ModelLike, {layerCount: number, plan: Plan}>();
let running: Plan|null = null;

/** Tensors that already went through the ReLU layer named with them. */
const reluApplied = new WeakMap<Tensor, LayerLike>();

/** The ReLU layer `layer` may apply itself while the current model's graph runs, if any. */
export function reluAfter(layer: LayerLike): FoldedRelu|undefined {
  return running?.get(layer);
}

/** Records that `output` is already `relu`'s output. */
export function markReluApplied(output: Tensor, relu: LayerLike): Tensor {
  reluApplied.set(output, relu);
  return output;
}

/**
 * A ReLU layer's cap: +Infinity for Activation('relu') and ReLU(), maxValue for ReLU({maxValue})
 * (what tf.layers computes as relu, then clipByValue(0, maxValue)); undefined for any other layer.
 */
function reluMax(layer: LayerLike): number|undefined {
  const className = layer.getClassName();
  if (className === 'Activation') return layer.getConfig()['activation'] === 'relu' ? Infinity : undefined;
  if (className !== 'ReLU') return undefined;
  const max = layer.getConfig()['maxValue'];
  if (max == null) return Infinity;
  return typeof max === 'number' && max > 0 ? max : undefined;
}

/** The layers that can apply a ReLU after them: BatchNormalization any ReLU, Add a plain one. */
const takesRelu = (className: string, max: number) =>
    className === 'BatchNormalization' || (className === 'Add' && max === Infinity);

function planOf(model: ModelLike): Plan {
  const cached = plans.get(model);
  if (cached && cached.layerCount === model.layers.length) return cached.plan;
  const plan: Plan = new Map();
  const members = new Set(model.layers);
  const outputs = new Set(model.outputs.map(t => t.id));
  for (const layer of model.layers) {
    if (layer.inboundNodes.length !== 1 || layer.outboundNodes.length !== 1) continue;
    const next = layer.outboundNodes[0].outboundLayer;
    if (!members.has(next) || next.inboundNodes.length !== 1) continue;
    const max = reluMax(next);
    if (max === undefined || !takesRelu(layer.getClassName(), max)) continue;
    if (layer.inboundNodes[0].outputTensors.some(t => outputs.has(t.id))) continue;
    plan.set(layer, {layer: next, max});
  }
  plans.set(model, {layerCount: model.layers.length, plan});
  return plan;
}

/** Runs `run` with `model`'s plan in force (graph execution in tf.layers is synchronous). */
function withPlan<T>(model: ModelLike, run: () => T): T {
  const previous = running;
  running = getBackend() === 'onednn' ? planOf(model) : null;
  try {
    return run();
  } finally {
    running = previous;
  }
}

const installed = Symbol('onednn.reluFusion');

interface LayersModule {
  LayersModel: {prototype: object};
  layers: {activation(args: object): object, reLU(args?: object): object, add(args?: object): object};
}

export function installReluFusion(layers: LayersModule): void {
  type Method = (this: ModelLike, ...args: unknown[]) => unknown;
  const modelProto = layers.LayersModel.prototype as {[name: string]: Method} & {[installed]?: true};
  if (modelProto[installed]) return;
  modelProto[installed] = true;
  // Where a model runs its graph: called as a layer (Container's call), trained, predicting.
  const containerProto = Object.getPrototypeOf(modelProto) as {call: Method};
  const stockCall = containerProto.call;
  containerProto.call = function(...args) {
    return withPlan(this, () => stockCall.apply(this, args));
  };
  const stockMakeTrainFunction = modelProto.makeTrainFunction;
  modelProto.makeTrainFunction = function() {
    const train = stockMakeTrainFunction.call(this) as (...args: unknown[]) => unknown;
    return (...args: unknown[]) => withPlan(this, () => train(...args));
  };
  const stockPredictLoop = modelProto.predictLoop;
  modelProto.predictLoop = function(...args) {
    return withPlan(this, () => stockPredictLoop.apply(this, args));
  };

  // The ReLU layers pass on what their producer already rectified. While training, as the very
  // tensor: Layer.apply would clone it (an Identity kernel, and a Cast in the backward pass), and
  // a training graph frees nothing until the step ends. Elsewhere the graph executor frees each
  // input once read, so apply's clone stays.
  for (const layer of [layers.layers.activation({activation: 'relu'}), layers.layers.reLU()]) {
    const proto = Object.getPrototypeOf(layer) as ReluLayer;
    const {call: stockCall, apply: stockApply} = proto;
    const rectified = (layer: LayerLike, inputs: Tensor|Tensor[]) => {
      const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
      return input != null && reluApplied.get(input) === layer ? input : null;
    };
    proto.call = function(this: ReluLayer, inputs, kwargs) {
      return rectified(this, inputs) ?? stockCall.call(this, inputs, kwargs);
    };
    proto.apply = function(this: ReluLayer, inputs, kwargs) {
      const input = kwargs?.['training'] === true && this.built ? rectified(this, inputs as Tensor|Tensor[]) : null;
      return input ?? stockApply.call(this, inputs, kwargs);
    };
  }

  // A residual block's tail: relu(a + b) in one kernel.
  const addProto = Object.getPrototypeOf(layers.layers.add()) as LayerLike;
  const stockAdd = addProto.call;
  addProto.call = function(this: LayerLike, inputs, kwargs) {
    const relu = reluAfter(this)?.layer;
    if (relu == null || !Array.isArray(inputs) || inputs.length !== 2) return stockAdd.call(this, inputs, kwargs);
    const [a, b] = inputs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !util.arraysEqual(a.shape, b.shape)) {
      return stockAdd.call(this, inputs, kwargs);
    }
    return markReluApplied(engine().runKernel(ONEDNN_ADD_RELU, {a, b} as unknown as NamedTensorMap) as Tensor, relu);
  };
}
