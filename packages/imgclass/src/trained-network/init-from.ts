import type * as tf from '@tensorflow/tfjs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PreprocessingConfig, resolvePreprocessing } from '../data/config';
import { ImgclassError } from '../errors';
import { loadForeignModel } from './foreign-model';
import { MODEL_JSON } from './model-files';
import { loadClassifier } from './load-classifier';
import type { TrainOptions } from './run-config';
import { isRunFolder } from './run-folder';

/** The network `train --init-from` starts from, with the preprocessing its pictures need. */
export interface ImportedNetwork {
  model: tf.LayersModel;
  /** The network's own name (a registry name when imgclass made it). */
  name: string;
  preprocessing: PreprocessingConfig;
}

/** Preprocessing given on the command line; a model imgclass did not make needs it. */
export type GivenPreprocessing = Pick<TrainOptions, 'normalization' | 'resizeMode'>;

/**
 * Opens what --init-from names: an imgclass run or model (which carries its
 * own preprocessing: given flags must agree with it) or a TensorFlow.js
 * layers model imgclass did not make (normalization required).
 */
export async function importNetwork(location: string, given: GivenPreprocessing): Promise<ImportedNetwork> {
  if (!(await madeByImgclass(location))) {
    const foreign = await loadForeignModel(location, { normalization: given.normalization, resizeMode: given.resizeMode });
    return { model: foreign.model, name: foreign.modelName, preprocessing: foreign.preprocessing };
  }
  const own = await loadClassifier(location);
  const p = own.preprocessing;
  const normalizationDiffers =
    given.normalization !== undefined &&
    JSON.stringify(resolvePreprocessing({ normalization: given.normalization }).normalization) !== JSON.stringify(p.normalization);
  if (normalizationDiffers || (given.resizeMode !== undefined && given.resizeMode !== p.resizeMode)) {
    own.model.dispose();
    throw new ImgclassError(
      'INVALID_OPTION',
      `'${location}' was made by imgclass and keeps its own preprocessing (${p.normalization.kind} normalization, ${p.resizeMode} resize), so leave out --normalization, --mean, --std and --resize-mode.`,
    );
  }
  return { model: own.model, name: own.modelName, preprocessing: p };
}

/**
 * The training options of a run started from `imported`: its input size and
 * preprocessing, its name as the model; options that would pick another
 * network are refused.
 */
export function importedRunOptions(options: TrainOptions, imported: ImportedNetwork): TrainOptions {
  const source = options.initFrom;
  const invalid = (message: string) => new ImgclassError('INVALID_OPTION', message);
  for (const [key, flag] of [['model', '--model'], ['lrn', '--lrn'], ['init', '--init']] as const) {
    if (options[key] !== undefined) throw invalid(`--init-from takes the network from '${source}', so leave out ${flag}.`);
  }
  const { width, height, resizeMode, normalization } = imported.preprocessing;
  if (width !== height) throw invalid(`'${source}' takes ${width}×${height} pictures, but imgclass trains square inputs only.`);
  if (options.size !== undefined && options.size !== width) {
    throw invalid(`'${source}' takes ${width}×${height} pictures, so --size ${options.size} does not fit it; leave out --size.`);
  }
  // As a registry run's config keeps it: the kind alone unless it has numbers.
  const kept = normalization.kind === 'mean-std' ? normalization : normalization.kind;
  return { ...options, model: imported.name, size: width, resizeMode, normalization: kept };
}

/** A run folder, or a model.json (or its folder) with imgclass metadata. */
async function madeByImgclass(location: string): Promise<boolean> {
  const info = await stat(location).catch(() => undefined);
  if (!info) return false;
  if (info.isDirectory() && (await isRunFolder(location))) return true;
  const file = info.isDirectory() ? path.join(location, MODEL_JSON) : location;
  const json: unknown = await readFile(file, 'utf8').then((text) => JSON.parse(text)).catch(() => undefined);
  return Boolean((json as { userDefinedMetadata?: { imgclass?: object } } | undefined)?.userDefinedMetadata?.imgclass);
}
