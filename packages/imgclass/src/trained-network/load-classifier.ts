import * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PreprocessingConfig, resolvePreprocessing } from '../data/config';
import { ImgclassError } from '../errors';
import { loadModelFiles, MODEL_JSON } from './model-files';
import { BEST_CHECKPOINT, CHECKPOINT_DIR, listStepCheckpoints, restoreModelWeights } from './checkpoint';
import { isRunFolder, MODEL_DIR, readRunFolder } from './run-folder';
import { buildRunNetwork } from './run-network';

/** A trained network with everything needed to use it on new pictures. */
export interface Classifier {
  model: tf.LayersModel;
  /** Output i is classes[i]. */
  classes: string[];
  preprocessing: PreprocessingConfig;
  /** Registry name ('lenet5', ...). */
  modelName: string;
  /** The file the weights came from (model.json or a checkpoint). */
  source: string;
}

/**
 * Opens a run folder (its final model; for a run stopped early, its best or
 * newest checkpoint), a model folder, or a model.json.
 */
export async function loadClassifier(location: string): Promise<Classifier> {
  const info = await stat(location).catch(() => undefined);
  if (!info) throw new ImgclassError('MODEL_FILE', `'${location}' does not exist; give a run folder or a model.json.`);
  if (info.isDirectory() && (await isRunFolder(location))) return loadFromRun(location);
  const modelJson = info.isDirectory() ? path.join(location, MODEL_JSON) : location;
  if (info.isDirectory() && !(await stat(modelJson).catch(() => undefined))) {
    throw new ImgclassError(
      'NOT_A_RUN',
      `'${location}' is neither a run folder (no config.json) nor a model folder (no model.json).`,
    );
  }
  const loaded = await loadModelFiles(modelJson);
  return {
    model: loaded.model,
    classes: loaded.metadata.classes,
    preprocessing: loaded.metadata.preprocessing,
    modelName: loaded.metadata.model,
    source: loaded.file,
  };
}

async function loadFromRun(runDir: string): Promise<Classifier> {
  const finalModel = path.join(runDir, MODEL_DIR, MODEL_JSON);
  if (await stat(finalModel).catch(() => undefined)) return loadClassifier(finalModel);
  const { config, classes } = await readRunFolder(runDir);
  const best = path.join(runDir, CHECKPOINT_DIR, BEST_CHECKPOINT);
  const newest = (await listStepCheckpoints(runDir))[0]?.file;
  const source = (await stat(best).catch(() => undefined)) ? best : newest;
  if (!source) {
    throw new ImgclassError('NOT_A_RUN', `The run '${runDir}' has neither a final model nor a checkpoint yet.`);
  }
  const model = await buildRunNetwork(config, classes.length, 'zeros');
  try {
    await restoreModelWeights(source, model);
  } catch (err) {
    model.dispose();
    throw err;
  }
  const preprocessing = resolvePreprocessing({
    size: config.size,
    resizeMode: config.resizeMode,
    normalization: config.normalization,
  });
  return { model, classes, preprocessing, modelName: config.model, source };
}
