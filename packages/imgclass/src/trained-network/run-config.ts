import type { Precision } from '../backend';
import path from 'node:path';
import type { AugmentationOptions } from '../data/augment';
import type { Normalization, ResizeMode } from '../data/config';
import type { FolderLayout } from '../data/scan';
import { ImgclassError } from '../errors';
import { inputSize, modelSpec } from '../models/registry';
import { withRecipe } from './recipes';

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';
export type ScheduleName = 'constant' | 'cosine' | 'step' | 'one-cycle';
export const SCHEDULES: readonly ScheduleName[] = ['constant', 'cosine', 'step', 'one-cycle'];

/** Everything that defines a training run; written to config.json and checked on resume. */
export interface TrainOptions {
  /**
   * A named set of settings (see RECIPES: 'seed', 'fast', 'best') for everything not set here;
   * settings given here win. config.json records the name and every resolved value.
   */
  recipe?: string;
  /** Training folder(s): one sub-folder per class (or Kaggle-style names with layout 'filename-prefix'). */
  train: string | string[];
  /** Test folder(s) for validation after each epoch. */
  test?: string | string[];
  /** Without test folders: the fraction of the training images held out (stratified, seeded). Default 0: no validation. */
  validationSplit?: number;
  layout?: FolderLayout;
  /** Registry name. Default 'lenet5'. */
  model?: string;
  /**
   * Start from this network instead of a registry model: an imgclass run or
   * model, or a TensorFlow.js layers model.json (or its folder) imgclass did
   * not make, which then needs `normalization`. Its input size is used; its
   * output layer is replaced when the class count differs.
   */
  initFrom?: string;
  /** Input side in pixels. Default 150, the seed's size. */
  size?: number;
  resizeMode?: ResizeMode;
  normalization?: Normalization | Normalization['kind'];
  /** lenet5: the seed's LRN after each pool. */
  lrn?: boolean;
  /** lenet5: 'tutorial' starts from the seed's truncated normals. Default 'default' (He/Glorot). */
  init?: 'default' | 'tutorial';
  /** Default 32. */
  batchSize?: number;
  /**
   * Split each batch into this many parts run one after another, gradients
   * combined as that many data-parallel ranks would (per-part BatchNorm
   * statistics). Default 1.
   */
  microBatches?: number;
  /** Passes over the training set; default 10 unless `steps` is given. */
  epochs?: number;
  /** Total optimizer steps; overrides epochs. */
  steps?: number;
  /** Peak learning rate. Default 1e-4 (the seed's) for lenet5; each model has its own default. */
  lr?: number;
  /** Default 'adam', as the seed. */
  optimizer?: OptimizerName;
  /** sgd and rmsprop momentum. Default 0. */
  momentum?: number;
  /**
   * Learning-rate schedule after warm-up. Default 'constant'. 'one-cycle' (fastai, PyTorch's OneCycleLR)
   * warms up by itself: from lr/25 up to lr over the first quarter, then down to lr/25e4.
   */
  schedule?: ScheduleName;
  /** Linear warm-up from lr/steps to lr over this many steps. Default 100 (see DEFAULT_WARMUP_STEPS); 0 with 'one-cycle'. */
  warmupSteps?: number;
  /** 'step' schedule: multiply the rate by `lrGamma` every this many steps. Default a third of the run. */
  lrStepEvery?: number;
  /** Default 0.1. */
  lrGamma?: number;
  /** 'cosine' schedule floor. Default 0. */
  minLr?: number;
  /** Decoupled weight decay (AdamW-style), applied to kernels only. Default 0. */
  weightDecay?: number;
  /** Mixes this much of the uniform distribution into the one-hot targets. Default 0. */
  labelSmoothing?: number;
  /**
   * mixup (Zhang et al.): each batch is blended with a seeded permutation of itself, weight
   * λ ~ Beta(α, α) for pictures and targets alike. This is α; default 0 (off).
   */
  mixup?: number;
  /**
   * CutMix (Yun et al.): a box from a seeded partner picture is pasted into each picture, targets
   * weighted by area; box side √(1 − λ), λ ~ Beta(α, α). This is α; default 0 (off). With mixup
   * too, each batch uses one of them, chosen with probability 1/2.
   */
  cutmix?: number;
  /**
   * Exponential moving average of the weights with this decay (e.g. 0.999), updated after every
   * step; validation, best.ckpt's inference weights and the final model use the average. Default 0 (off).
   */
  ema?: number;
  /**
   * 'bfloat16': mixed precision (convolutions in bf16, weights and optimizer state in f32), on CPUs
   * with bf16 instructions. Default 'float32'.
   */
  precision?: Precision;
  /** Stop after this many epochs without a better validation accuracy. Default: off. */
  patience?: number;
  /** The smallest gain that counts as better for early stopping. Default 0. */
  minDelta?: number;
  /** Training augmentation: true = horizontal flip (the default), false = none, or options. */
  augment?: boolean | AugmentationOptions;
  /** Seed for weights, data order, augmentation and dropout. Default: drawn at random and saved. */
  seed?: number;
  /** Log line every this many steps. Default 50, as the seed. */
  logEvery?: number;
  /** Checkpoint every this many steps (and at every epoch end). Default 1000. */
  saveEvery?: number;
  /** Step checkpoints kept besides the best one. Default 2. */
  keepCheckpoints?: number;
  /** Where decoded pixels are cached. Default `.imgclass-cache` in the working directory. */
  cacheDir?: string;
}

/** TrainOptions with every default filled in: what config.json holds. */
export interface RunConfig {
  /** The recipe the run started from (its values are in the fields below); null for none. Absent in older runs. */
  recipe?: string | null;
  train: string[];
  test: string[];
  validationSplit: number;
  layout: FolderLayout;
  /** Registry name, or the imported network's name with `initFrom`. */
  model: string;
  /** Absolute path of the --init-from model; null for a registry model. */
  initFrom: string | null;
  size: number;
  resizeMode: ResizeMode;
  normalization: Normalization | Normalization['kind'];
  lrn: boolean;
  init: 'default' | 'tutorial';
  batchSize: number;
  /** Absent in runs saved before micro-batches existed: 1. */
  microBatches?: number;
  epochs: number | null;
  steps: number | null;
  lr: number;
  optimizer: OptimizerName;
  momentum: number;
  schedule: ScheduleName;
  warmupSteps: number;
  lrStepEvery: number | null;
  lrGamma: number;
  minLr: number;
  weightDecay: number;
  labelSmoothing: number;
  /** Absent in runs saved before batch mixing and EMA existed: 0 (off). */
  mixup?: number;
  cutmix?: number;
  ema?: number;
  precision: Precision;
  patience: number | null;
  minDelta: number;
  augment: boolean | AugmentationOptions;
  seed: number;
  logEvery: number;
  saveEvery: number;
  keepCheckpoints: number;
}

export const DEFAULT_EPOCHS = 10;

/**
 * Warm-up is on by default: without it, Adam's first full-size steps on
 * LeNet-5 with He initialization push every one of fc1's 84 ReLUs negative
 * (its 173,280 inputs all move together) and the loss sits at ln 2 for good.
 * The seed's own initialization (biases 0.1) survives without it.
 */
export const DEFAULT_WARMUP_STEPS = 100;

/** Default peak learning rate with `initFrom`: small, so fine-tuning does not wreck the imported features. */
export const DEFAULT_FINE_TUNE_LR = 1e-4;

/**
 * Fills defaults and rejects impossible values with one sentence each. With
 * `initFrom`, `o` must come from importedRunOptions (model name, size and
 * preprocessing of the imported network).
 */
export function resolveRunConfig(given: TrainOptions): RunConfig {
  const o = withRecipe(given);
  const spec = o.initFrom ? undefined : modelSpec(o.model ?? 'lenet5');
  const train = folderList(o.train);
  if (train.length === 0) throw invalid('Give at least one training folder.');
  const size = o.size ?? 150;
  inputSize(size);
  if (o.epochs !== undefined && o.steps !== undefined) throw invalid('Give either epochs or steps, not both.');
  const config: RunConfig = {
    recipe: o.recipe ?? null,
    train,
    test: folderList(o.test),
    validationSplit: o.validationSplit ?? 0,
    layout: o.layout ?? 'class-folders',
    model: spec?.name ?? o.model ?? 'imported',
    initFrom: o.initFrom ? path.resolve(o.initFrom) : null,
    size,
    resizeMode: o.resizeMode ?? 'stretch',
    normalization: o.normalization ?? 'standardize',
    lrn: o.lrn ?? false,
    init: o.init ?? 'default',
    batchSize: o.batchSize ?? 32,
    microBatches: o.microBatches ?? 1,
    epochs: o.steps !== undefined ? null : (o.epochs ?? DEFAULT_EPOCHS),
    steps: o.steps ?? null,
    lr: o.lr ?? spec?.suggestedLr ?? DEFAULT_FINE_TUNE_LR,
    optimizer: o.optimizer ?? 'adam',
    momentum: o.momentum ?? 0,
    schedule: o.schedule ?? 'constant',
    warmupSteps: o.warmupSteps ?? (o.schedule === 'one-cycle' ? 0 : DEFAULT_WARMUP_STEPS),
    lrStepEvery: o.lrStepEvery ?? null,
    lrGamma: o.lrGamma ?? 0.1,
    minLr: o.minLr ?? 0,
    weightDecay: o.weightDecay ?? 0,
    labelSmoothing: o.labelSmoothing ?? 0,
    mixup: o.mixup ?? 0,
    cutmix: o.cutmix ?? 0,
    ema: o.ema ?? 0,
    precision: o.precision ?? 'float32',
    patience: o.patience ?? null,
    minDelta: o.minDelta ?? 0,
    augment: o.augment ?? true,
    seed: o.seed ?? Math.floor(Math.random() * 2 ** 31),
    logEvery: o.logEvery ?? 50,
    saveEvery: o.saveEvery ?? 1000,
    keepCheckpoints: o.keepCheckpoints ?? 2,
  };
  validate(config);
  return config;
}

function validate(c: RunConfig): void {
  const positiveInt = (name: string, v: number | null) => {
    if (v !== null && (!Number.isSafeInteger(v) || v < 1)) {
      const cap = v > Number.MAX_SAFE_INTEGER ? ` of at most ${Number.MAX_SAFE_INTEGER}` : '';
      throw invalid(`${name} must be a positive integer${cap}, got ${v}.`);
    }
  };
  positiveInt('The batch size', c.batchSize);
  positiveInt('micro-batches', c.microBatches ?? 1);
  if ((c.microBatches ?? 1) > c.batchSize) throw invalid(`A batch of ${c.batchSize} cannot be split into ${c.microBatches} micro-batches; use at most ${c.batchSize}.`);
  positiveInt('The number of epochs', c.epochs);
  positiveInt('The number of steps', c.steps);
  positiveInt('log-every', c.logEvery);
  positiveInt('save-every', c.saveEvery);
  positiveInt('keep', c.keepCheckpoints);
  positiveInt('patience', c.patience);
  positiveInt('lr-step-every', c.lrStepEvery);
  if (!Number.isSafeInteger(c.warmupSteps) || c.warmupSteps < 0) throw invalid(`warmup must be 0 or more steps, got ${c.warmupSteps}.`);
  if (!Number.isSafeInteger(c.seed) || c.seed < 0) throw invalid(`The seed must be a non-negative integer, got ${c.seed}.`);
  if (!(c.lr > 0) || !Number.isFinite(c.lr)) throw invalid(`The learning rate must be a positive number, got ${c.lr}.`);
  if (!(c.minLr >= 0 && c.minLr <= c.lr)) throw invalid(`min-lr must be between 0 and the learning rate, got ${c.minLr}.`);
  if (!(c.lrGamma > 0 && c.lrGamma <= 1)) throw invalid(`lr-gamma must be in (0, 1], got ${c.lrGamma}.`);
  if (!(c.momentum >= 0 && c.momentum < 1)) throw invalid(`momentum must be in [0, 1), got ${c.momentum}.`);
  // Each step multiplies the kernels by 1 - lr·decay (AdamW), which must stay positive; like PyTorch, no cap on decay itself.
  if (!(c.weightDecay >= 0 && c.lr * c.weightDecay < 1)) {
    throw invalid(`weight decay must be 0 or more and below 1 / learning rate (${1 / c.lr}), got ${c.weightDecay}.`);
  }
  if (c.precision !== 'float32' && c.precision !== 'bfloat16') throw invalid(`precision must be float32 or bfloat16, got ${c.precision}.`);
  if (!(c.labelSmoothing >= 0 && c.labelSmoothing < 1)) throw invalid(`label smoothing must be in [0, 1), got ${c.labelSmoothing}.`);
  for (const [name, alpha] of [['mixup', c.mixup ?? 0], ['cutmix', c.cutmix ?? 0]] as const) {
    if (!(alpha >= 0 && Number.isFinite(alpha))) throw invalid(`${name} takes the α of its Beta(α, α) distribution, 0 or more (0 is off), got ${alpha}.`);
  }
  if (!((c.ema ?? 0) >= 0 && (c.ema ?? 0) < 1)) throw invalid(`The EMA decay must be in [0, 1) (0 is off; 0.999 is usual), got ${c.ema}.`);
  if (!(c.validationSplit >= 0 && c.validationSplit < 1)) throw invalid(`The validation split must be in [0, 1), got ${c.validationSplit}.`);
  if (!['adam', 'sgd', 'rmsprop'].includes(c.optimizer)) throw invalid(`Unknown optimizer '${c.optimizer}'; choose adam, sgd or rmsprop.`);
  if (!SCHEDULES.includes(c.schedule)) throw invalid(`Unknown schedule '${c.schedule}'; choose constant, cosine, step or one-cycle.`);
  if (c.schedule === 'one-cycle' && c.warmupSteps > 0) {
    throw invalid(`The one-cycle schedule warms up by itself (the first quarter of the run), so leave out the warm-up (${c.warmupSteps} steps were given).`);
  }
  const erase = typeof c.augment === 'object' ? c.augment.erase : undefined;
  if (erase !== undefined && !(erase >= 0 && erase <= 1)) throw invalid(`The random-erasing probability (erase=) must be in [0, 1], got ${erase}.`);
  if (c.init === 'tutorial' && c.model !== 'lenet5') throw invalid("The 'tutorial' initialization exists for lenet5 only.");
  if (c.lrn && c.model !== 'lenet5') throw invalid('The LRN option exists for lenet5 only (alexnet always has LRN).');
}

/**
 * Settings a resumed run may change: how long it runs and how it reports.
 * Anything else would silently make the continuation a different experiment.
 */
const RESUMABLE_CHANGES: ReadonlySet<keyof RunConfig> = new Set(['epochs', 'steps', 'logEvery', 'saveEvery', 'keepCheckpoints', 'precision', 'microBatches']);

/** Options given on resume that disagree with the saved config: one sentence naming the first. */
export function resumeConflicts(saved: RunConfig, given: Partial<TrainOptions>): RunConfig {
  // Runs saved before mixed precision existed trained in float32.
  const merged: RunConfig = { ...saved, precision: saved.precision ?? 'float32' };
  for (const [key, value] of Object.entries(given) as [keyof TrainOptions, unknown][]) {
    if (value === undefined || key === 'cacheDir') continue;
    const savedValue = saved[key as keyof RunConfig];
    const normalizedValue =
      key === 'train' || key === 'test' ? folderList(value as string | string[]) : key === 'initFrom' ? path.resolve(value as string) : value;
    if (JSON.stringify(normalizedValue) === JSON.stringify(savedValue)) continue;
    if (!RESUMABLE_CHANGES.has(key as keyof RunConfig)) {
      throw new ImgclassError(
        'RESUME_CONFLICT',
        `The run was started with ${key} = ${JSON.stringify(savedValue)}, but ${JSON.stringify(value)} was given; resume without that option or start a new run.`,
      );
    }
    (merged as unknown as Record<string, unknown>)[key] = normalizedValue;
  }
  if (given.steps !== undefined) merged.epochs = null;
  if (given.epochs !== undefined) merged.steps = null;
  validate(merged);
  return merged;
}

/** Folder lists as saved: absolute, so a run resumes from any working directory. */
function folderList(v: string | string[] | undefined): string[] {
  return (v === undefined ? [] : typeof v === 'string' ? [v] : v).map((p) => path.resolve(p));
}

function invalid(message: string): ImgclassError {
  return new ImgclassError('INVALID_OPTION', message);
}
