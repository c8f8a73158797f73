import * as tf from '@tensorflow/tfjs';
import type { PreprocessingConfig } from '../data/config';
import { normalizeImage } from '../data/normalize';
import { createRng } from '../math/rng';
import { classifierOutputs, ClassifierOutputs, maxAbsDifference } from './classifier-outputs';
import { ExportError } from './export-error';
import { ONNX_INPUT, ONNX_LOGITS, ONNX_PROBABILITIES } from './onnx-convert';

type Ort = typeof import('onnxruntime-node');

/** Agreement required between imgclass and onnxruntime: probabilities absolutely, logits relative to their scale. */
export const PROBABILITY_TOLERANCE = 1e-4;
export const LOGIT_TOLERANCE = 1e-4;

export interface RoundTripCheck {
  /** e.g. 'onnxruntime-node 1.30.0'. */
  runtime: string;
  pictures: number;
  maxProbabilityDifference: number;
  /** null when the network does not end in softmax (no logits output). */
  maxLogitDifference: number | null;
  /** Largest |logit| imgclass computed: the logit tolerance is relative to it (when above 1). */
  logitScale: number | null;
  passed: boolean;
}

/** onnxruntime-node is optional at run time (a large native package): load it on demand. */
export async function loadOnnxRuntime(): Promise<{ ort: Ort; version: string }> {
  try {
    const ort = (await import('onnxruntime-node')) as Ort;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require('onnxruntime-node/package.json') as { version: string }).version;
    return { ort, version };
  } catch (err) {
    throw new ExportError(
      'CHECK_UNAVAILABLE',
      `The ONNX export is checked with onnxruntime-node before it is written, and that package could not be loaded (${(err as Error).message.split('\n')[0]}); install it (npm install onnxruntime-node) or skip the check.`,
    );
  }
}

/** Runs an ONNX model (bytes) on an NHWC float32 batch. */
export async function runOnnx(ort: Ort, onnx: Uint8Array, input: Float32Array, shape: number[]): Promise<ClassifierOutputs> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', input, shape) });
    const logits = session.outputNames.includes(ONNX_LOGITS) ? (out[ONNX_LOGITS].data as Float32Array) : null;
    return { probabilities: out[ONNX_PROBABILITIES].data as Float32Array, logits };
  } finally {
    await session.release();
  }
}

/** Seeded random pictures, normalized as the model expects: inputs in the range the network was trained on. */
export function probeBatch(p: PreprocessingConfig, count: number, seed = 7): Float32Array {
  const rng = createRng(seed);
  const size = p.width * p.height * 3;
  const out = new Float32Array(count * size);
  for (let i = 0; i < count; i++) {
    const pixels = Uint8Array.from({ length: size }, () => Math.floor(rng() * 256));
    out.set(normalizeImage(pixels, p.normalization), i * size);
  }
  return out;
}

/** Compares imgclass's outputs with onnxruntime's on the same batch. */
export async function compareWithOnnx(
  ort: Ort,
  runtime: string,
  model: tf.LayersModel,
  onnx: Uint8Array,
  batch: Float32Array,
  shape: [number, number, number, number],
): Promise<RoundTripCheck> {
  const input = tf.tensor4d(batch, shape);
  let reference: ClassifierOutputs;
  try {
    reference = await classifierOutputs(model, input);
  } finally {
    input.dispose();
  }
  const actual = await runOnnx(ort, onnx, batch, shape);
  const logits = reference.logits && actual.logits ? maxAbsDifference(reference.logits, actual.logits) : null;
  const logitScale = reference.logits ? reference.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0) : null;
  const probabilities = maxAbsDifference(reference.probabilities, actual.probabilities);
  const logitsOk = logits === null || logits <= LOGIT_TOLERANCE * Math.max(1, logitScale ?? 1);
  return {
    runtime,
    pictures: shape[0],
    maxProbabilityDifference: probabilities,
    maxLogitDifference: logits,
    logitScale,
    // Written as "<=" so that a NaN anywhere fails.
    passed: probabilities <= PROBABILITY_TOLERANCE && logitsOk,
  };
}
