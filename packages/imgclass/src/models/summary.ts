import * as tf from '@tensorflow/tfjs';
import { formatTable } from '../format/table';
import { humanCount, thousands } from '../format/numbers';
import { ModelStats, modelStats } from './layer-stats';

/** Layer types whose row names the activation applied inside them. */
function typeLabel(layer: tf.layers.Layer, type: string): string {
  const activation = layer.getConfig().activation;
  return typeof activation === 'string' && activation !== 'linear' ? `${type}, ${activation}` : type;
}

/**
 * The answer to the seed's exercise: every layer's output shape and
 * parameters with the arithmetic behind them, then the totals.
 */
export function formatSummary(model: tf.LayersModel, stats: ModelStats = modelStats(model)): string {
  const rows = stats.layers.map((l, i) => [
    l.name,
    typeLabel(model.layers[i], l.type),
    l.outputShape.length === 1 ? thousands(l.outputShape[0]) : l.outputShape.join('×'),
    thousands(l.params),
    l.paramsFormula,
  ]);
  const table = formatTable(['Layer', 'Type', 'Output shape', 'Params', 'Params ='], rows, { align: 'llrrl' });
  const lines = [
    `Model: ${model.name}`,
    table,
    `Total params: ${thousands(stats.totalParams)} (trainable ${thousands(stats.trainableParams)}, non-trainable ${thousands(stats.nonTrainableParams)})`,
    `Weights: ${(stats.totalParams * 4 / 2 ** 20).toFixed(1)} MiB as float32`,
    `Forward FLOPs per image: ${humanCount(stats.flops)} (conv and dense layers; a multiply-add counts 2)`,
  ];
  return lines.join('\n');
}
