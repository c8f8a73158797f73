import * as tf from '@tensorflow/tfjs';
import { modelStats } from './layer-stats';
import { buildModel, MODELS, ModelName } from './registry';

export interface ModelDescription {
  name: ModelName;
  description: string;
  size: number;
  classes: number;
  params: number;
  flops: number;
  /** Why the model cannot take this size, when it cannot. */
  error?: string;
}

/**
 * Parameter counts and FLOPs of every registered network at one input size.
 * Built with zero initializers: counting needs the shapes, not random draws
 * (VGG-16 at 224 would otherwise spend seconds sampling 138 M weights).
 */
export function describeModels(size = 150, classes = 2): ModelDescription[] {
  return MODELS.map((spec) => {
    const base = { name: spec.name, description: spec.description, size, classes };
    let model: tf.LayersModel | undefined;
    try {
      model = buildModel(spec.name, { size, classes, init: 'zeros' });
      const stats = modelStats(model);
      return { ...base, params: stats.totalParams, flops: stats.flops };
    } catch (err) {
      return { ...base, params: 0, flops: 0, error: err instanceof Error ? err.message : String(err) };
    } finally {
      model?.dispose();
    }
  });
}
