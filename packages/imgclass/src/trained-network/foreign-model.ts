import * as tf from '@tensorflow/tfjs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Normalization, resolvePreprocessing, ResizeMode } from '../data/config';
import { ImgclassError } from '../errors';
import { MODEL_JSON } from './model-files';
import type { Classifier } from './load-classifier';

/** What a model imgclass did not make cannot tell by itself. */
export interface ForeignModelOptions {
  /** How the pictures were normalized in training. Required. */
  normalization?: Normalization | Normalization['kind'];
  /** How pictures were brought to the input size. Default 'stretch'. */
  resizeMode?: ResizeMode;
  /** Class names in output order. Default class0, class1, ... */
  classes?: string[];
}

export interface ForeignClassifier extends Classifier {
  /** The network output raw scores, so imgclass appended a softmax to get probabilities. */
  appendedSoftmax: boolean;
}

interface LayersModelJson {
  format?: string;
  modelTopology?: object;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Opens a TensorFlow.js layers model that imgclass did not make (e.g. a
 * Keras model converted with tfjs-converter) as a Classifier, with the
 * preprocessing the caller gives; the input size comes from the model.
 * Every defect in model.json or its weight files is a one-line error naming
 * the file.
 */
export async function loadForeignModel(location: string, options: ForeignModelOptions): Promise<ForeignClassifier> {
  const file = (await stat(location).catch(() => undefined))?.isDirectory() ? path.join(location, MODEL_JSON) : location;
  const fail = (what: string, why: string) => new ImgclassError('MODEL_FILE', `Cannot load the model '${what}': ${why}.`);
  const json = await readModelJson(file, fail);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const weightData = await readWeights(file, json, specs, fail);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
  } catch (err) {
    throw fail(file, `TensorFlow.js rejected it (${(err as Error).message.split('\n')[0]})`);
  }
  try {
    return describe(model, file, options, fail);
  } catch (err) {
    model.dispose();
    throw err;
  }
}

async function readModelJson(file: string, fail: (what: string, why: string) => Error) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fail(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : String(err));
  }
  let json: LayersModelJson;
  try {
    json = JSON.parse(text) as LayersModelJson;
  } catch {
    throw fail(file, 'it is not valid JSON (truncated or hand-edited?)');
  }
  if (json?.format === 'graph-model') {
    throw fail(file, 'it is a TensorFlow.js graph model; imgclass needs a layers model (tfjs-converter --output_format tfjs_layers_model)');
  }
  if (!json || typeof json.modelTopology !== 'object' || !Array.isArray(json.weightsManifest)) {
    throw fail(file, 'it has no modelTopology or weightsManifest (not a TensorFlow.js layers model)');
  }
  return json as Required<Pick<LayersModelJson, 'modelTopology' | 'weightsManifest'>>;
}

async function readWeights(
  file: string,
  json: Required<Pick<LayersModelJson, 'weightsManifest'>>,
  specs: tf.io.WeightsManifestEntry[],
  fail: (what: string, why: string) => Error,
): Promise<ArrayBuffer> {
  const shardFiles = json.weightsManifest.flatMap((g) => g.paths.map((p) => path.resolve(path.dirname(file), p)));
  const buffers: Buffer[] = [];
  for (const shard of shardFiles) {
    try {
      buffers.push(await readFile(shard));
    } catch {
      throw fail(shard, `the weights file listed in ${path.basename(file)} is missing or unreadable`);
    }
  }
  const data = Buffer.concat(buffers);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * storedBytes(s), 0);
  if (data.length !== expected) {
    const where = shardFiles.length === 1 ? shardFiles[0] : `${shardFiles.length} weight files next to ${file}`;
    throw fail(where, `the weights are ${data.length} bytes but ${path.basename(file)} describes ${expected} (truncated, or not the weights of this model)`);
  }
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

/** Bytes per stored value: the quantized type when tfjs-converter quantized the weights. */
function storedBytes(spec: tf.io.WeightsManifestEntry): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  return dtype === 'uint8' || dtype === 'bool' ? 1 : dtype === 'uint16' || dtype === 'float16' ? 2 : 4;
}

function describe(model: tf.LayersModel, file: string, options: ForeignModelOptions, fail: (what: string, why: string) => Error): ForeignClassifier {
  const inShape = model.inputs.length === 1 ? model.inputs[0].shape : [];
  const [, height, width, channels] = inShape;
  if (inShape.length !== 4 || !height || !width || channels !== 3) {
    throw fail(file, `its input is [${inShape.map((d) => d ?? '?')}]; imgclass needs one RGB picture input [batch, height, width, 3]`);
  }
  const outShape = model.outputs.length === 1 ? model.outputs[0].shape : [];
  const units = outShape[1];
  if (outShape.length !== 2 || !units) {
    throw fail(file, `its output is [${outShape.map((d) => d ?? '?')}]; imgclass needs one [batch, classes] output`);
  }
  const classes = options.classes ?? Array.from({ length: units }, (_, i) => `class${i}`);
  if (classes.length !== units) throw fail(file, `the network has ${units} outputs but ${classes.length} class names were given`);
  if (options.normalization === undefined) {
    throw new ImgclassError(
      'INVALID_OPTION',
      `'${file}' was not made by imgclass, so it does not say how its pictures were prepared: give --normalization (standardize, unit, or mean-std with --mean and --std) and, unless they were stretched, --resize-mode.`,
    );
  }
  const preprocessing = resolvePreprocessing({ size: [width, height], resizeMode: options.resizeMode, normalization: options.normalization });
  const appendedSoftmax = !endsInSoftmax(model);
  const classifier = appendedSoftmax ? withSoftmax(model) : model;
  return { model: classifier, classes, preprocessing, modelName: model.name, source: file, appendedSoftmax };
}

/** Whether the network's last layer already turns scores into probabilities. */
export function endsInSoftmax(model: tf.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  return last.getClassName() === 'Softmax' || last.getConfig().activation === 'softmax';
}

function withSoftmax(model: tf.LayersModel): tf.LayersModel {
  const output = tf.layers.softmax({ name: 'imgclass_softmax' }).apply(model.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: output, name: model.name });
}
