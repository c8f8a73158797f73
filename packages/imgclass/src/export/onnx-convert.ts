import * as tf from '@tensorflow/tfjs';
import { unsupportedLayer } from './export-error';
import { convertConv2D, convertDepthwiseConv2D } from './onnx-conv-layers';
import {
  convertActivation,
  convertBatchNormalization,
  convertDense,
  convertFlatten,
  convertIdentity,
  convertLeakyReLU,
  convertLocalResponseNormalization,
  convertReLU,
  convertSoftmax,
} from './onnx-core-layers';
import { ints, OnnxGraph, OnnxValue } from './onnx-graph';
import { createLayerContext, LayerConverter } from './onnx-layer-context';
import { convertAdd, convertConcatenate, convertZeroPadding2D } from './onnx-merge-layers';
import {
  convertAveragePooling2D,
  convertGlobalAveragePooling2D,
  convertGlobalMaxPooling2D,
  convertMaxPooling2D,
} from './onnx-pool-layers';

/** tf.layers class name -> converter. Everything the built-in models use, and a few common Keras layers. */
export const ONNX_LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  Conv2D: convertConv2D,
  DepthwiseConv2D: convertDepthwiseConv2D,
  MaxPooling2D: convertMaxPooling2D,
  AveragePooling2D: convertAveragePooling2D,
  GlobalAveragePooling2D: convertGlobalAveragePooling2D,
  GlobalMaxPooling2D: convertGlobalMaxPooling2D,
  Dense: convertDense,
  Flatten: convertFlatten,
  BatchNormalization: convertBatchNormalization,
  LocalResponseNormalization: convertLocalResponseNormalization,
  Activation: convertActivation,
  ReLU: convertReLU,
  LeakyReLU: convertLeakyReLU,
  Softmax: convertSoftmax,
  Add: convertAdd,
  Concatenate: convertConcatenate,
  ZeroPadding2D: convertZeroPadding2D,
  Dropout: convertIdentity,
  SpatialDropout1D: convertIdentity,
  AlphaDropout: convertIdentity,
  GaussianDropout: convertIdentity,
  GaussianNoise: convertIdentity,
};

/** Graph input and output names: what an ONNX user feeds and fetches. */
export const ONNX_INPUT = 'input';
export const ONNX_PROBABILITIES = 'probabilities';
export const ONNX_LOGITS = 'logits';

export interface ConvertedGraph {
  graph: OnnxGraph;
  /** [height, width, channels] of the NHWC input; the batch is dynamic. */
  inputShape: [number, number, number];
  classes: number;
  /** Whether the graph also outputs the pre-softmax scores. */
  hasLogits: boolean;
}

/**
 * Translates a single-input, single-output tf.layers classifier to an ONNX
 * graph: NHWC input (as imgclass feeds it) transposed once to NCHW, every
 * layer converted in topological order, the class probabilities as output
 * (and the logits when the network ends in softmax).
 */
export function tfjsToOnnxGraph(model: tf.LayersModel): ConvertedGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw unsupportedLayer('ONNX', model.name, 'model', `has ${model.inputs.length} inputs and ${model.outputs.length} outputs; only one of each is supported`);
  }
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  // Every layer is checked before any weight is copied, so an unsupported one fails fast.
  for (const layer of layers) {
    const className = layer.getClassName();
    if (!ONNX_LAYER_CONVERTERS[className]) {
      throw unsupportedLayer('ONNX', layer.name, className, `is not supported (supported: ${Object.keys(ONNX_LAYER_CONVERTERS).join(', ')})`);
    }
  }
  const [, height, width, channels] = model.inputs[0].shape;
  if (model.inputs[0].shape.length !== 4 || !height || !width || !channels) {
    throw unsupportedLayer('ONNX', model.name, 'model', `has the input shape [${model.inputs[0].shape}]; a fixed [batch, height, width, channels] image input is needed`);
  }
  const graph = new OnnxGraph();
  for (const name of [ONNX_INPUT, ONNX_PROBABILITIES, ONNX_LOGITS]) graph.uniqueName(name);
  const values = new Map<tf.SymbolicTensor, OnnxValue>();
  const nchw = graph.add('Transpose', [ONNX_INPUT], 'input_nchw', { perm: ints([0, 3, 1, 2]) });
  values.set(model.inputs[0], { name: nchw, shape: [height, width, channels], layout: 'nchw' });

  for (const layer of layers) {
    const className = layer.getClassName();
    let inbound: tf.SymbolicTensor | tf.SymbolicTensor[];
    try {
      inbound = layer.input;
    } catch {
      throw unsupportedLayer('ONNX', layer.name, className, 'is applied more than once (shared layers are not supported)');
    }
    const inputs = (Array.isArray(inbound) ? inbound : [inbound]).map((t) => {
      const v = values.get(t);
      if (!v) throw unsupportedLayer('ONNX', layer.name, className, `reads '${t.name}', which is not produced inside this model`);
      return v;
    });
    const output = ONNX_LAYER_CONVERTERS[className](createLayerContext(graph, layer, inputs));
    values.set(layer.output as tf.SymbolicTensor, output);
  }

  const final = values.get(model.outputs[0]);
  if (!final || final.layout !== 'plain' || final.shape.length !== 1) {
    throw unsupportedLayer('ONNX', model.name, 'model', `outputs shape [${final?.shape}] per picture; a classifier outputs [classes]`);
  }
  graph.addNamed('Identity', [final.name], ONNX_PROBABILITIES);
  if (final.softmaxOf) graph.addNamed('Identity', [final.softmaxOf], ONNX_LOGITS);
  return { graph, inputShape: [height, width, channels], classes: final.shape[0], hasLogits: Boolean(final.softmaxOf) };
}
