import * as tf from '@tensorflow/tfjs';

/** One row of a model summary: what a reader needs to check the network by hand. */
export interface LayerStats {
  name: string;
  /** tf.layers class name, e.g. 'Conv2D'. */
  type: string;
  /** Per-image output shape without the batch axis, e.g. [38, 38, 120]. */
  outputShape: number[];
  params: number;
  /** How `params` is computed, e.g. '5·5·16·120 + 120'; empty for layers without weights. */
  paramsFormula: string;
  /** Forward floating-point operations for one image (a multiply-add counts 2). */
  flops: number;
}

export interface ModelStats {
  layers: LayerStats[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Conv, depthwise-conv and dense layers; pooling, BatchNorm and activations add well under 1%. */
  flops: number;
}

type Config = tf.serialization.ConfigDict;

export function modelStats(model: tf.LayersModel): ModelStats {
  const layers = model.layers.map(layerStats);
  const count = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  const trainableParams = count(model.trainableWeights);
  const nonTrainableParams = count(model.nonTrainableWeights);
  return {
    layers,
    totalParams: trainableParams + nonTrainableParams,
    trainableParams,
    nonTrainableParams,
    flops: layers.reduce((n, l) => n + l.flops, 0),
  };
}

function layerStats(layer: tf.layers.Layer): LayerStats {
  const outShape = (Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as (number | null)[];
  const inShape = layer.inboundNodes[0]?.inputShapes;
  const input = (Array.isArray(inShape?.[0]) ? inShape[0] : inShape) as (number | null)[] | undefined;
  const outputShape = outShape.slice(1).map((d) => d ?? 0);
  const cfg = layer.getConfig();
  const type = layer.getClassName();
  const params = layer.countParams();
  const cin = input ? (input[input.length - 1] ?? 0) : 0;
  const outElems = outputShape.reduce((a, b) => a * b, 1);
  const useBias = cfg.useBias !== false;
  const bias = (n: number) => (useBias ? ` + ${n}` : '');
  switch (type) {
    case 'Conv2D': {
      const [kh, kw] = cfg.kernelSize as number[];
      const cout = cfg.filters as number;
      return row(`${kh}·${kw}·${cin}·${cout}${bias(cout)}`, 2 * kh * kw * cin * outElems);
    }
    case 'DepthwiseConv2D': {
      const [kh, kw] = cfg.kernelSize as number[];
      const m = (cfg.depthMultiplier as number) ?? 1;
      return row(`${kh}·${kw}·${cin}·${m}${bias(cin * m)}`, 2 * kh * kw * outElems);
    }
    case 'Dense': {
      const units = cfg.units as number;
      return row(`${cin}·${units}${bias(units)}`, 2 * cin * units);
    }
    case 'BatchNormalization':
      return row(`4·${cin} (γ, β; moving mean, variance)`, 0);
    default:
      return row('', 0);
  }

  function row(paramsFormula: string, flops: number): LayerStats {
    return { name: layer.name, type, outputShape, params, paramsFormula: params > 0 ? paramsFormula : '', flops };
  }
}
