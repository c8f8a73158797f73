import * as tf from '@tensorflow/tfjs';
import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ImgclassError } from '../errors';
import { readTensorFile, writeTensorFile } from '../io/tensor-file';

/** Where the loop stands; with the weights and optimizer moments this is all a resume needs. */
export interface TrainingState {
  /** Optimizer steps done. */
  step: number;
  /** 0-based epoch in progress. */
  epoch: number;
  /** Batches of `epoch` already consumed. */
  stepInEpoch: number;
  bestValAccuracy: number | null;
  bestStep: number | null;
  epochsWithoutImprovement: number;
  /** Training seconds so far: steps and waiting for their batches (not validation, checkpoints or time spent stopped). */
  seconds: number;
  images: number;
}

export const CHECKPOINT_DIR = 'checkpoints';
export const BEST_CHECKPOINT = 'best.ckpt';
const STEP_FILE = /^step-(\d+)\.ckpt$/;

export function stepCheckpointName(step: number): string {
  return `step-${String(step).padStart(7, '0')}.ckpt`;
}

/**
 * Weights (trainable and not, e.g. BatchNorm moving statistics) and the
 * optimizer's state (`getWeights()`: iteration count plus Adam's first and
 * second moments) in one atomically written file.
 */
export async function saveCheckpoint(
  file: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: TrainingState,
): Promise<void> {
  const optimizerWeights = await optimizer.getWeights();
  await writeTensorFile(file, state, {
    model: model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })),
    optimizer: optimizerWeights,
  });
  // saveIterations() made a fresh scalar for the iteration count.
  optimizerWeights[0]?.tensor.dispose();
}

/** Restores weights and optimizer moments in place; returns the loop state. */
export async function restoreCheckpoint(file: string, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<TrainingState> {
  const { meta, groups } = await readTensorFile<TrainingState>(file);
  const saved = groups.model ?? [];
  const mismatch = saved.length !== model.weights.length ||
    saved.some((s, i) => s.tensor.shape.join('x') !== model.weights[i].shape.join('x'));
  if (mismatch) {
    tf.dispose([...saved, ...(groups.optimizer ?? [])].map((s) => s.tensor));
    throw new ImgclassError('CHECKPOINT', `The checkpoint '${file}' holds weights for a different network than this run's config.`);
  }
  model.setWeights(saved.map((s) => s.tensor));
  tf.dispose(saved.map((s) => s.tensor));
  const optimizerWeights = groups.optimizer ?? [];
  // Variables made by setWeights share the tensors' storage (reference-counted), so freeing ours is safe.
  if (optimizerWeights.length > 0) await optimizer.setWeights(optimizerWeights);
  tf.dispose(optimizerWeights.map((s) => s.tensor));
  return meta;
}

/** Step checkpoints in the run, newest first. */
export async function listStepCheckpoints(runDir: string): Promise<{ file: string; step: number }[]> {
  let names: string[];
  try {
    names = await readdir(path.join(runDir, CHECKPOINT_DIR));
  } catch {
    return [];
  }
  return names
    .map((n) => ({ n, m: STEP_FILE.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .map(({ n, m }) => ({ file: path.join(runDir, CHECKPOINT_DIR, n), step: Number(m[1]) }))
    .sort((a, b) => b.step - a.step);
}

/** Keeps the newest `keep` step checkpoints; best.ckpt is separate and always kept. */
export async function pruneCheckpoints(runDir: string, keep: number): Promise<void> {
  const all = await listStepCheckpoints(runDir);
  for (const old of all.slice(keep)) await unlink(old.file).catch(() => undefined);
}

/** Loads only the network weights of a checkpoint (to evaluate or predict from a run without a final model). */
export async function restoreModelWeights(file: string, model: tf.LayersModel): Promise<TrainingState> {
  const { meta, groups } = await readTensorFile<TrainingState>(file);
  const all = [...(groups.model ?? []), ...(groups.optimizer ?? [])].map((s) => s.tensor);
  try {
    const saved = groups.model ?? [];
    if (saved.length !== model.weights.length || saved.some((s, i) => s.tensor.shape.join('x') !== model.weights[i].shape.join('x'))) {
      throw new ImgclassError('CHECKPOINT', `The checkpoint '${file}' holds weights for a different network than its run's config.`);
    }
    model.setWeights(saved.map((s) => s.tensor));
    return meta;
  } finally {
    tf.dispose(all);
  }
}
