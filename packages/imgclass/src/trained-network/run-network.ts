import type * as tf from '@tensorflow/tfjs';
import { ImgclassError } from '../errors';
import { withClassifierHead } from './fine-tune-head';
import type { InitScheme } from '../models/net-builder';
import { buildModel } from '../models/registry';
import { importNetwork, ImportedNetwork } from './init-from';
import type { RunConfig } from './run-config';

/**
 * The network a run trains, before any checkpoint is restored: its registry
 * model, or the --init-from network (imported again, so a run without a
 * checkpoint yet still starts from the imported weights) with a fresh
 * output layer when its class count differs. `registryInit` lets a caller
 * that restores weights anyway skip the random initialization.
 */
export async function buildRunNetwork(config: RunConfig, classes: number, registryInit: InitScheme = config.init): Promise<tf.LayersModel> {
  if (!config.initFrom) {
    return buildModel(config.model, { size: config.size, classes, seed: config.seed, init: registryInit, lrn: config.lrn });
  }
  let imported: ImportedNetwork;
  try {
    imported = await importNetwork(config.initFrom, config);
  } catch (err) {
    if (!(err instanceof ImgclassError)) throw err;
    throw new ImgclassError(err.code, `Cannot rebuild the run's network from its --init-from model (${err.message.replace(/\.$/, '')}).`);
  }
  const { width, height } = imported.preprocessing;
  if (width !== config.size || height !== config.size) {
    imported.model.dispose();
    throw new ImgclassError(
      'CHECKPOINT',
      `The run was started from '${config.initFrom}' at ${config.size}×${config.size}, but that model now takes ${width}×${height} pictures.`,
    );
  }
  return withImportedHead(imported.model, classes, config.seed);
}

/** `model` with an output layer for `classes`; the layers it no longer uses (the old head) are freed. */
function withImportedHead(model: tf.LayersModel, classes: number, seed: number): tf.LayersModel {
  let tuned: tf.LayersModel;
  try {
    tuned = withClassifierHead(model, classes, seed);
  } catch (err) {
    model.dispose();
    throw err;
  }
  for (const layer of model.layers) if (!tuned.layers.includes(layer)) layer.dispose();
  return tuned;
}
