import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { withPrecision } from '../backend';
import { loadImageFolder } from '../data/load-image-folder';
import type { DataParallel } from '../distributed/data-parallel';
import { ImgclassError } from '../errors';
import { saveModelFiles } from '../trained-network/model-files';
import { stat } from 'node:fs/promises';
import { BEST_CHECKPOINT, CHECKPOINT_DIR, listStepCheckpoints, restoreCheckpoint, TrainingState } from '../trained-network/checkpoint';
import type { TrainEvent } from './events';
import { MetricsLog } from './metrics-log';
import { resolveRunConfig, resumeConflicts, RunConfig, TrainOptions } from '../trained-network/run-config';
import { createRunFolder, ExistingRun, MODEL_DIR, readRunFolder } from '../trained-network/run-folder';
import { claimExistingRunFolder, claimNewRunFolder, clearRunProgress, OwnedRunFolder } from './run-folder-owner';
import { importedRunOptions, importNetwork } from '../trained-network/init-from';
import { buildRunNetwork } from '../trained-network/run-network';
import { TrainingLoop } from './training-loop';
import { createOptimizer } from './optimizer';
import { WeightAverage } from './weight-average';

export interface TrainHooks {
  /** Abort to stop after the current step: a checkpoint is written and the result says 'interrupted'. */
  signal?: AbortSignal;
  onEvent?: (event: TrainEvent) => void;
  /** Where decoded pixels are cached. Default `.imgclass-cache` in the working directory. */
  cacheDir?: string;
  /** Data-parallel training as one rank of an MPI job (see distributed/data-parallel.ts). */
  dataParallel?: DataParallel;
}

export interface TrainResult {
  runDir: string;
  /** The final model folder (model.json + weights.bin); absent when interrupted. */
  modelDir?: string;
  classes: string[];
  /** Pictures in the training and validation sets. */
  trainImages: number;
  validationImages: number;
  steps: number;
  epochs: number;
  stopReason: 'completed' | 'early-stopped' | 'interrupted';
  /** Last validation accuracy, if there is a validation set. */
  validationAccuracy: number | null;
  bestValidationAccuracy: number | null;
  /** The epoch after which validation was best (validation runs at each epoch's end). */
  bestValidationEpoch: number | null;
  trainAccuracy: number;
  trainLoss: number;
  seconds: number;
  imagesPerSecond: number;
}

/**
 * How a run folder is used: a new run; a resume from its newest intact
 * checkpoint; or a deliberate restart from step 0 with its saved settings.
 */
type RunMode = 'new' | 'resume' | 'restart';

/**
 * Trains a network on image folders into a new run folder:
 *   await train({ train: 'data/train', test: 'data/test', model: 'lenet5', epochs: 5 }, { out: 'runs/cats' })
 * The folder is locked while training (a second process gets RUN_IN_USE); `overwrite` replaces an existing run in it.
 */
export async function train(options: TrainOptions & { out?: string; overwrite?: boolean }, hooks: TrainHooks = {}): Promise<TrainResult> {
  let config = resolveRunConfig(options.initFrom ? await withImportedSettings(options) : options);
  let runDir = path.resolve(options.out ?? path.join('runs', `${config.model}-${timestamp()}`));
  // Rank 0's choices (a random seed, the dated folder name) hold for every rank.
  if (hooks.dataParallel) ({ config, runDir } = hooks.dataParallel.fromRoot({ config, runDir }));
  const owned = await ownedByWriter(hooks, () => claimNewRunFolder(runDir, options.overwrite === true, warner(hooks)));
  try {
    return await runTraining(runDir, config, 'new', { ...hooks, cacheDir: hooks.cacheDir ?? options.cacheDir });
  } finally {
    await owned?.release();
  }
}

/** Only the process that writes the run folder (rank 0 of a distributed job) holds its lock. */
async function ownedByWriter(hooks: TrainHooks, claim: () => Promise<OwnedRunFolder>): Promise<OwnedRunFolder | undefined> {
  const dp = hooks.dataParallel;
  return !dp || dp.isRoot ? claim() : undefined;
}

function warner(hooks: TrainHooks): (message: string) => void {
  return (message) => hooks.onEvent?.({ type: 'warning', message });
}

/** `options` with the input size and preprocessing of the --init-from network (opened only to read them). */
async function withImportedSettings(options: TrainOptions): Promise<TrainOptions> {
  const imported = await importNetwork(options.initFrom as string, options);
  try {
    return importedRunOptions(options, imported);
  } finally {
    imported.model.dispose();
  }
}

/**
 * Continues a run from its newest readable checkpoint, optimizer moments
 * included. Only epochs/steps and the logging cadence may differ from the
 * saved config; anything else is a RESUME_CONFLICT error.
 */
export async function resumeTraining(
  runDir: string,
  overrides: Partial<TrainOptions> & { overwrite?: boolean } = {},
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const { overwrite, ...given } = overrides;
  const dp = hooks.dataParallel;
  // Only rank 0 needs to see the run folder (other hosts may not share it).
  const { config } = dp ? dp.fromRoot(dp.isRoot ? await readRunFolder(runDir) : null) as ExistingRun : await readRunFolder(runDir);
  const { imgclassVersion: _v, createdAt: _c, ...saved } = config;
  const merged = resumeConflicts(saved, given);
  const absolute = path.resolve(runDir);
  const owned = await ownedByWriter(hooks, () => claimExistingRunFolder(absolute, warner(hooks)));
  try {
    return await runTraining(absolute, merged, overwrite === true ? 'restart' : 'resume', { ...hooks, cacheDir: hooks.cacheDir ?? given.cacheDir });
  } finally {
    await owned?.release();
  }
}

async function runTraining(runDir: string, config: RunConfig, mode: RunMode, hooks: TrainHooks): Promise<TrainResult> {
  return withPrecision(config.precision, () => runTrainingIn(runDir, config, mode, hooks));
}

async function runTrainingIn(runDir: string, config: RunConfig, mode: RunMode, hooks: TrainHooks): Promise<TrainResult> {
  const emit = hooks.onEvent ?? (() => undefined);
  const dp = hooks.dataParallel;
  const writes = !dp || dp.isRoot;
  const load = () => loadImageFolder({
    roots: config.train,
    validationRoots: config.test.length > 0 ? config.test : undefined,
    validationSplit: config.test.length > 0 ? undefined : config.validationSplit,
    layout: config.layout,
    preprocessing: { size: config.size, resizeMode: config.resizeMode, normalization: config.normalization },
    seed: config.seed,
    cacheDir: hooks.cacheDir,
    onProgress: (p) => emit({ type: 'decode-progress', ...p }),
    onWarning: (message) => emit({ type: 'warning', message }),
  });
  const data = dp ? await dp.loadInTurn(load) : await load();
  let model: tf.LayersModel | undefined;
  let optimizer: tf.Optimizer | undefined;
  let average: WeightAverage | undefined;
  try {
    emit({ type: 'data', report: data.report, classes: data.classes });
    dp?.checkBatch(config.batchSize, data.train.size, config.microBatches ?? 1);
    const metrics = new MetricsLog(runDir);
    // Rank 0 alone checks and writes the run folder.
    if (writes && mode === 'new') {
      await createRunFolder(runDir, config, data.classes);
      await metrics.create();
    } else if (writes) {
      const saved = await readRunFolder(runDir);
      if (saved.classes.join('\n') !== data.classes.join('\n')) {
        throw new ImgclassError(
          'RESUME_CONFLICT',
          `The run was trained on the classes ${saved.classes.join(', ')}, but the folders now have ${data.classes.join(', ')}.`,
        );
      }
      if (mode === 'restart') {
        await clearRunProgress(runDir);
        await metrics.create();
      }
    }
    model = await buildRunNetwork(config, data.classes.length);
    optimizer = createOptimizer(config.optimizer, config.lr, config.momentum);
    // Only the rank that validates and writes the run needs the average (the others hold the same weights).
    if ((config.ema ?? 0) > 0 && writes) average = new WeightAverage(model, config.ema as number);
    let state = initialState();
    let resumedFrom: number | null = null;
    if (mode === 'resume' && writes) {
      const restored = await restoreNewest(runDir, model, optimizer, emit, average);
      if (restored) {
        state = restored;
        resumedFrom = state.step;
      }
      await metrics.truncateAfter(state.step);
    }
    if (dp) state = await dp.startFromRoot(model, optimizer, state);
    const loop = new TrainingLoop({ runDir, config, data, model, optimizer, metrics, state, emit, signal: hooks.signal, dataParallel: dp, average });
    emit({
      type: 'start',
      runDir,
      config,
      params: model.countParams(),
      totalSteps: loop.totalSteps,
      stepsPerEpoch: loop.stepsPerEpoch,
      epochs: loop.epochs,
      resumedFrom,
    });
    const outcome = await loop.run();
    let modelDir: string | undefined;
    if (outcome.stopReason !== 'interrupted' && writes) {
      modelDir = path.join(runDir, MODEL_DIR);
      // With --ema the saved network is the average, which validation scored.
      average?.writeInto();
      await saveModelFiles(model, modelDir, {
        model: config.model,
        classes: data.classes,
        preprocessing: data.preprocessing,
        steps: loop.state.step,
      });
    }
    const s = loop.state;
    return {
      runDir,
      modelDir,
      classes: data.classes,
      trainImages: data.train.size,
      validationImages: data.validation?.size ?? 0,
      steps: s.step,
      epochs: s.epoch,
      stopReason: outcome.stopReason,
      validationAccuracy: outcome.validationAccuracy,
      bestValidationAccuracy: s.bestValAccuracy,
      bestValidationEpoch: s.bestStep === null ? null : Math.ceil(s.bestStep / loop.stepsPerEpoch),
      trainAccuracy: outcome.trainAccuracy,
      trainLoss: outcome.trainLoss,
      seconds: s.seconds,
      imagesPerSecond: s.seconds > 0 ? s.images / s.seconds : 0,
    };
  } finally {
    model?.dispose();
    optimizer?.dispose();
    average?.dispose();
    await data.close();
  }
}

/**
 * Newest checkpoint that reads back intact; a damaged one (e.g. a full disk)
 * falls back to the one before, and best.ckpt (a full training state too)
 * comes last. A run with checkpoints none of which reads back stops here
 * rather than silently starting over and throwing its progress away.
 */
async function restoreNewest(
  runDir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  emit: (e: TrainEvent) => void,
  average?: WeightAverage,
): Promise<TrainingState | null> {
  const best = path.join(runDir, CHECKPOINT_DIR, BEST_CHECKPOINT);
  const candidates = (await listStepCheckpoints(runDir)).map((c) => c.file);
  if (await stat(best).then((s) => s.isFile(), () => false)) candidates.push(best);
  const damaged: string[] = [];
  for (const file of candidates) {
    try {
      return await restoreCheckpoint(file, model, optimizer, average);
    } catch (err) {
      if (!(err instanceof ImgclassError)) throw err;
      damaged.push(path.basename(file));
      if (damaged.length < candidates.length) emit({ type: 'warning', message: `${err.message} Trying an older checkpoint.` });
    }
  }
  if (damaged.length > 0) {
    throw new ImgclassError(
      'CHECKPOINT',
      `No checkpoint of the run '${runDir}' can be read (${damaged.join(', ')} in ${CHECKPOINT_DIR}/ are damaged or from another network), ` +
        `so it was left as it is; to start it over from step 0 with its settings, run: imgclass train --resume ${runDir} --overwrite`,
    );
  }
  emit({ type: 'warning', message: `The run '${runDir}' has no checkpoint yet; starting it from step 0.` });
  return null;
}

function initialState(): TrainingState {
  return {
    step: 0,
    epoch: 0,
    stepInEpoch: 0,
    bestValAccuracy: null,
    bestStep: null,
    epochsWithoutImprovement: 0,
    seconds: 0,
    images: 0,
  };
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}
