import * as tf from '@tensorflow/tfjs';
import { crc32 } from 'node:zlib';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PreprocessingConfig, resolvePreprocessing } from '../data/config';
import { ImgclassError } from '../errors';
import '../models/lrn-layer'; // registers the custom layer so saved AlexNet/LRN models deserialize
import { IMGCLASS_VERSION } from '../version';
import { writeFileAtomic } from '../io/atomic-file';
import { makeDir } from '../io/make-dir';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** What imgclass stores next to the network so that predicting needs nothing else. */
export interface ModelMetadata {
  imgclassVersion: string;
  /** Registry name, e.g. 'lenet5'. */
  model: string;
  /** Class names in label order: output i is classes[i]. */
  classes: string[];
  preprocessing: PreprocessingConfig;
  /** Training steps behind these weights. */
  steps?: number;
  /** Ties model.json to its weights.bin: a mismatch means a half-replaced model. */
  weights: { bytes: number; crc32: number };
}

export interface LoadedModel {
  model: tf.LayersModel;
  metadata: ModelMetadata;
  /** The model.json it came from. */
  file: string;
}

/**
 * Writes `dir/model.json` + `dir/weights.bin` in the TensorFlow.js layers
 * format (what `file://` would write with tfjs-node, which we do not have),
 * with the imgclass metadata under `userDefinedMetadata.imgclass`.
 */
export async function saveModelFiles(
  model: tf.LayersModel,
  dir: string,
  metadata: Omit<ModelMetadata, 'weights' | 'imgclassVersion'>,
): Promise<void> {
  await makeDir(dir);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const chunks = toChunks(artifacts.weightData);
      const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
      const checksum = chunks.reduce((crc, c) => crc32(c, crc), 0);
      const json = {
        format: 'layers-model',
        generatedBy: `imgclass ${IMGCLASS_VERSION} (TensorFlow.js tfjs-layers ${tf.version_layers})`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs }],
        userDefinedMetadata: {
          imgclass: { ...metadata, imgclassVersion: IMGCLASS_VERSION, weights: { bytes, crc32: checksum } },
        },
      };
      // Weights first: a model.json never points at weights that are not on disk yet.
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), chunks);
      await writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json, null, 1));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Loads a model saved by saveModelFiles from its folder or its model.json; every defect is a one-line ImgclassError. */
export async function loadModelFiles(location: string): Promise<LoadedModel> {
  const file = (await isDirectory(location)) ? path.join(location, MODEL_JSON) : location;
  const fail = (why: string) => new ImgclassError('MODEL_FILE', `Cannot load the model '${file}': ${why}.`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fail((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : String(err));
  }
  let json: {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: { imgclass?: ModelMetadata };
  };
  try {
    json = JSON.parse(text);
  } catch {
    throw fail('model.json is not valid JSON (truncated or malformed)');
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw fail('model.json has no modelTopology or weightsManifest (not a TensorFlow.js layers model)');
  }
  const metadata = json.userDefinedMetadata?.imgclass;
  if (!metadata || !Array.isArray(metadata.classes) || !metadata.preprocessing) {
    throw fail('model.json has no imgclass metadata (class names and preprocessing); it was not saved by imgclass');
  }
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      try {
        buffers.push(await readFile(path.resolve(path.dirname(file), p)));
      } catch {
        throw fail(`its weights file '${p}' is missing or unreadable`);
      }
    }
  }
  const data = Buffer.concat(buffers);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * bytesPerElement(s.dtype), 0);
  if (data.length !== expected) {
    throw fail(`the weights are ${data.length} bytes but model.json describes ${expected} (truncated or mismatched weights.bin)`);
  }
  if (metadata.weights && crc32(data) !== metadata.weights.crc32) {
    throw fail('the weights do not match the checksum in model.json (corrupt, or from another save)');
  }
  let preprocessing: PreprocessingConfig;
  try {
    preprocessing = resolvePreprocessing(metadata.preprocessing);
  } catch (err) {
    throw fail(`its preprocessing metadata is invalid (${(err as Error).message})`);
  }
  let model: tf.LayersModel;
  try {
    const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }),
    );
  } catch (err) {
    throw fail(`TensorFlow.js rejected it (${(err as Error).message.split('\n')[0]})`);
  }
  const outputs = (model.outputs[0].shape as number[])[1];
  if (outputs !== metadata.classes.length) {
    model.dispose();
    throw fail(`the network has ${outputs} outputs but ${metadata.classes.length} class names`);
  }
  return { model, metadata: { ...metadata, preprocessing }, file };
}

function toChunks(weightData: tf.io.WeightData | undefined): Uint8Array[] {
  if (!weightData) return [];
  const list = Array.isArray(weightData) ? weightData : [weightData];
  return list.map((b) => new Uint8Array(b));
}

function bytesPerElement(dtype: string): number {
  return dtype === 'bool' || dtype === 'uint8' ? 1 : dtype === 'float16' || dtype === 'int16' ? 2 : 4;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
