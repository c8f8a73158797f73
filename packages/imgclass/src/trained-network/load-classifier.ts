import * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PreprocessingConfig, resolvePreprocessing } from '../data/config';
import { ImgclassError } from '../errors';
import { foldBatchNorm } from '../models';
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

export interface LoadClassifierOptions {
  /**
   * Only for predicting (predict, evaluate, serve): BatchNorm folded into the convolutions
   * before it, each conv → BN → ReLU one fused kernel (see models/fold-batch-norm.ts).
   */
  inference?: boolean;
}

/**
 * Opens a run folder (its final model; for a run stopped early, its best or
 * newest checkpoint), a model folder, or a model.json.
 */
export async function loadClassifier(location: string, options: LoadClassifierOptions = {}): Promise<Classifier> {
  const c = await loadTrainedClassifier(location);
  if (!options.inference) return c;
  const model = foldBatchNorm(c.model);
  if (model !== c.model) c.model.dispose();
  return { ...c, model };
}

async function loadTrainedClassifier(location: string): Promise<Classifier> {
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
  if (await stat(finalModel).catch(() => undefined)) return loadTrainedClassifier(finalModel);
  const { config, classes } = await readRunFolder(runDir);
  // A run stopped before its final model: best.ckpt, else the newest step checkpoint, skipping damaged ones.
  const best = path.join(runDir, CHECKPOINT_DIR, BEST_CHECKPOINT);
  const candidates = (await listStepCheckpoints(runDir)).map((c) => c.file);
  if (await stat(best).then((s) => s.isFile(), () => false)) candidates.unshift(best);
  if (candidates.length === 0) {
    throw new ImgclassError('NOT_A_RUN', `The run '${runDir}' has neither a final model nor a checkpoint yet.`);
  }
  const model = await buildRunNetwork(config, classes.length, 'zeros');
  const damaged: string[] = [];
  let source: string | undefined;
  for (const file of candidates) {
    try {
      await restoreModelWeights(file, model);
      source = file;
      break;
    } catch (err) {
      if (!(err instanceof ImgclassError)) {
        model.dispose();
        throw err;
      }
      damaged.push(path.basename(file));
    }
  }
  if (source === undefined) {
    model.dispose();
    throw new ImgclassError(
      'CHECKPOINT',
      `The run '${runDir}' has no final model and none of its checkpoints can be read (${damaged.join(', ')} in ${CHECKPOINT_DIR}/ are damaged).`,
    );
  }
  const preprocessing = resolvePreprocessing({
    size: config.size,
    resizeMode: config.resizeMode,
    normalization: config.normalization,
  });
  return { model, classes, preprocessing, modelName: config.model, source };
}
