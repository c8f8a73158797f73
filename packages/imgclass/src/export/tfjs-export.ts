import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { MODEL_JSON, ModelMetadata } from '../trained-network/model-files';
import type { Classifier } from '../trained-network/load-classifier';
import { IMGCLASS_VERSION } from '../version';
import { exportMetadata } from './export-metadata';
import { CUSTOM_LAYERS_SCRIPT, customLayerScript } from './tfjs-custom-layers';
import { writeOutputFolder } from './staged-output';

export const METADATA_JSON = 'metadata.json';

/** tfjs-converter's default shard size: small enough for browser caches and CDNs. */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

export interface TfjsExportOptions {
  /** The folder to write. */
  out: string;
  /** Replace an existing folder. */
  force?: boolean;
  shardBytes?: number;
}

export interface TfjsExportResult {
  dir: string;
  /** Files written, relative to dir. */
  files: string[];
  weightBytes: number;
  /** Scripts a loader must run first (e.g. imgclass-layers.js for LRN); empty for most models. */
  customLayerScripts: string[];
}

/**
 * Writes the classifier in the TensorFlow.js layers format: model.json,
 * group1-shardNofM.bin weight shards and metadata.json. The model.json
 * also keeps the imgclass metadata, so imgclass itself can load the folder.
 */
export async function exportTfjs(c: Classifier, options: TfjsExportOptions): Promise<TfjsExportResult> {
  let result: TfjsExportResult | undefined;
  await writeOutputFolder(options.out, options.force ?? false, async (dir) => {
    result = { ...(await writeTfjsModel(c, dir, options.shardBytes)), dir: options.out };
  });
  return result as TfjsExportResult;
}

/** Writes the model files into an existing folder (also used for the web demo's model/). */
export async function writeTfjsModel(c: Classifier, dir: string, shardBytes = DEFAULT_SHARD_BYTES): Promise<Omit<TfjsExportResult, 'dir'>> {
  const script = customLayerScript(c.model);
  const { modelTopology, weightSpecs, weightData } = await modelArtifacts(c.model);
  const shards = splitShards(weightData, shardBytes);
  const imgclass: ModelMetadata = {
    imgclassVersion: IMGCLASS_VERSION,
    model: c.modelName,
    classes: c.classes,
    preprocessing: c.preprocessing,
    weights: { bytes: weightData.length, crc32: crc32(weightData) },
  };
  const modelJson = {
    format: 'layers-model',
    generatedBy: `imgclass ${IMGCLASS_VERSION} (TensorFlow.js tfjs-layers ${tf.version_layers})`,
    convertedBy: null,
    modelTopology,
    weightsManifest: [{ paths: shards.map((s) => `./${s.name}`), weights: weightSpecs }],
    userDefinedMetadata: { imgclass },
  };
  const customLayerScripts = script ? [CUSTOM_LAYERS_SCRIPT] : [];
  for (const shard of shards) await writeFile(path.join(dir, shard.name), shard.bytes);
  await writeFile(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
  await writeFile(path.join(dir, METADATA_JSON), JSON.stringify(exportMetadata(c, customLayerScripts), null, 2) + '\n');
  if (script) await writeFile(path.join(dir, CUSTOM_LAYERS_SCRIPT), script);
  return {
    files: [MODEL_JSON, ...shards.map((s) => s.name), METADATA_JSON, ...customLayerScripts],
    weightBytes: weightData.length,
    customLayerScripts,
  };
}

interface Artifacts {
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: Uint8Array;
}

/** What tfjs would save, captured in memory: the topology JSON and one buffer of all weights. */
async function modelArtifacts(model: tf.LayersModel): Promise<Artifacts> {
  let captured: Artifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
      captured = {
        modelTopology: artifacts.modelTopology as object,
        weightSpecs: artifacts.weightSpecs ?? [],
        weightData: Buffer.concat(buffers.map((b) => new Uint8Array(b))),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return captured as Artifacts;
}

/** group1-shard1of3.bin, ...: the names tfjs-converter uses. tfjs concatenates the shards before reading weights. */
function splitShards(data: Uint8Array, shardBytes: number): { name: string; bytes: Uint8Array }[] {
  const count = Math.max(1, Math.ceil(data.length / shardBytes));
  return Array.from({ length: count }, (_, i) => ({
    name: `group1-shard${i + 1}of${count}.bin`,
    bytes: data.subarray(i * shardBytes, Math.min(data.length, (i + 1) * shardBytes)),
  }));
}
