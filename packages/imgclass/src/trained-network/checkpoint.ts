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

/** A moving average of a model's weights (`--ema`), one tensor per model weight in the same order. */
export interface AveragedWeights {
  tensors(): tf.Tensor[];
  assign(tensors: readonly tf.Tensor[]): void;
}

/**
 * Weights (trainable and not, e.g. BatchNorm moving statistics) and the
 * optimizer's state (`getWeights()`: iteration count plus Adam's first and
 * second moments) in one atomically written file; with `average`, its
 * weights too (group 'ema'), which inference then prefers.
 */
export async function saveCheckpoint(
  file: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: TrainingState,
  average?: AveragedWeights,
): Promise<void> {
  const optimizerWeights = await optimizer.getWeights();
  const names = model.weights.map((w) => w.originalName);
  await writeTensorFile(file, state, {
    model: model.weights.map((w, i) => ({ name: names[i], tensor: w.read() })),
    optimizer: optimizerWeights,
    ...(average ? { ema: average.tensors().map((tensor, i) => ({ name: names[i], tensor })) } : {}),
  });
  // saveIterations() made a fresh scalar for the iteration count.
  optimizerWeights[0]?.tensor.dispose();
}

/**
 * Restores weights and optimizer moments in place, and `average` from the
 * checkpoint's 'ema' group (a checkpoint without one restarts the average
 * at the restored weights); returns the loop state.
 */
export async function restoreCheckpoint(file: string, model: tf.LayersModel, optimizer: tf.Optimizer, average?: AveragedWeights): Promise<TrainingState> {
  const { meta, groups } = await readTensorFile<TrainingState>(file);
  const saved = groups.model ?? [];
  const averaged = groups.ema;
  const fits = (list: typeof saved) => list.length === model.weights.length && list.every((s, i) => s.tensor.shape.join('x') === model.weights[i].shape.join('x'));
  if (!fits(saved) || (averaged && !fits(averaged))) {
    tf.dispose([...saved, ...(groups.optimizer ?? []), ...(averaged ?? [])].map((s) => s.tensor));
    throw new ImgclassError('CHECKPOINT', `The checkpoint '${file}' holds weights for a different network than this run's config.`);
  }
  model.setWeights(saved.map((s) => s.tensor));
  average?.assign((averaged ?? saved).map((s) => s.tensor));
  tf.dispose([...saved, ...(averaged ?? [])].map((s) => s.tensor));
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

/**
 * Loads only the network weights of a checkpoint (to evaluate or predict from
 * a run without a final model): the moving average where the run kept one.
 */
export async function restoreModelWeights(file: string, model: tf.LayersModel): Promise<TrainingState> {
  const { meta, groups } = await readTensorFile<TrainingState>(file);
  const all = Object.values(groups).flat().map((s) => s.tensor);
  try {
    const saved = groups.ema ?? groups.model ?? [];
    if (saved.length !== model.weights.length || saved.some((s, i) => s.tensor.shape.join('x') !== model.weights[i].shape.join('x'))) {
      throw new ImgclassError('CHECKPOINT', `The checkpoint '${file}' holds weights for a different network than its run's config.`);
    }
    model.setWeights(saved.map((s) => s.tensor));
    return meta;
  } finally {
    tf.dispose(all);
  }
}
