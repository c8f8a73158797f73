import path from 'node:path';
import type { AugmentationOptions } from '../data/augment';
import { RESIZE_MODES } from '../data/config';
import { FOREIGN_MODEL_OPTIONS, foreignModelOptions } from './foreign-model-flags';
import { duration, percent, thousands } from '../format/numbers';
import { MODELS } from '../models';
import { resumeTraining, train, TrainEvent, TrainOptions, TrainResult } from '../train';
import { choiceOpt, CommandSpec, listOpt, numberOpt, OptionValues, Output, stringOpt, UsageError } from './command';
import { tensorBoardLogger } from '../report/tensorboard/training-logger';
import { writeRunReport } from '../report/write-run-report';
import { bar } from './output';
import { startDataParallel } from '../distributed/start';
import { wantsDistributed } from '../distributed/world';
import { TRAINING_OPTIONS } from './training-options';
import { SCHEDULES } from '../trained-network/run-config';
import { findRecipe, RecipeSettings, RECIPES } from '../trained-network/recipes';

/** Exit code of a run stopped by Ctrl-C / SIGTERM, as shells report 128 + SIGINT. */
export const EXIT_INTERRUPTED = 130;

export const trainCommand: CommandSpec = {
  name: 'train',
  summary: 'Train a network on folders of pictures (checkpoints, resume, Ctrl-C safe)',
  usage: [
    'train <train-dir...> [--test DIR] [--model lenet5] [--size 150] [--batch 32] [--epochs N | --steps N] [--lr 1e-4] [--out runs/NAME]',
    'train <train-dir...> --init-from MODEL [--normalization N [--mean R,G,B --std R,G,B]] [--resize-mode M] [...]',
    'train <train-dir...> --recipe NAME [any flag, which wins over the recipe]',
    'train --resume runs/NAME [--epochs N | --steps N]',
  ],
  description: [
    'Each training folder holds one sub-folder per class (train/cat, train/dog). Several folders are merged.',
    'The run folder gets config.json, classes.json, metrics.jsonl, metrics.csv, checkpoints/ (every --save-every',
    'steps, every epoch end, and best.ckpt by validation accuracy) and, at the end, model/ (model.json +',
    'weights.bin with the class names and preprocessing) for evaluate and predict.',
    'Ctrl-C (or SIGTERM) saves a checkpoint and exits with code 130; --resume continues from the newest',
    'checkpoint, optimizer state included. Defaults follow the seed: LeNet-5, 150×150, batch 32, Adam, lr 1e-4,',
    'a log line every 50 steps; plus a 100-step learning-rate warm-up, without which LeNet-5 with He initialization',
    "loses all its dense-layer ReLUs in Adam's first steps (--recipe seed is the seed exactly: no warm-up, the seed's",
    'initialization, no augmentation).',
    '--init-from fine-tunes an existing network instead: an imgclass run or model, or a TensorFlow.js layers',
    'model imgclass did not make (e.g. converted from Keras), which needs --normalization (and --resize-mode unless',
    'its pictures were stretched). Its input size is used; its output layer is replaced when the class count differs.',
    '',
    "Recipes (--recipe NAME) set what the flags given do not; 'imgclass recipes' lists every flag each one sets:",
    ...recipeLines(),
  ].join('\n'),
  options: {
    recipe: { type: 'string', value: 'NAME', description: `${RECIPES.map((r) => r.name).join(', ')}: a named set of settings (see above); flags given win.` },
    ...TRAINING_OPTIONS,
    test: { type: 'string', multiple: true, value: 'DIR', description: 'Test folder for validation after each epoch (repeatable).' },
    'val-split': { type: 'string', value: 'F', description: 'Without --test: hold out this fraction of the training pictures. Default 0.' },
    'init-from': { type: 'string', value: 'MODEL', description: 'Fine-tune this run, model folder or model.json instead of a new --model. Default lr 1e-4.' },
    'resize-mode': { type: 'string', value: 'M', description: `${RESIZE_MODES.join(', ')}. Default stretch.` },
    normalization: {
      type: 'string',
      value: 'N',
      description: 'standardize (per picture, as the seed; default), unit (x/255) or mean-std (with --mean, --std).',
    },
    mean: FOREIGN_MODEL_OPTIONS.mean,
    std: FOREIGN_MODEL_OPTIONS.std,
    lrn: { type: 'boolean', description: "lenet5: the seed's LRN after each pool." },
    init: { type: 'string', value: 'I', description: "lenet5: default (He/Glorot) or tutorial (the seed's truncated normals)." },
    epochs: { type: 'string', value: 'N', description: 'Passes over the training pictures. Default 10.' },
    steps: { type: 'string', value: 'N', description: 'Total optimizer steps instead of epochs.' },
    lr: { type: 'string', value: 'LR', description: 'Peak learning rate. Default 1e-4 for lenet5, alexnet, vgg16; 1e-3 for resnet18, resnet18-half, mobilenet.' },
    schedule: {
      type: 'string',
      value: 'S',
      description: 'constant (default), cosine, step or one-cycle (lr/25 up to lr over the first quarter, then down to lr/25e4; no --warmup).',
    },
    warmup: { type: 'string', value: 'N', description: 'Linear learning-rate warm-up steps. Default 100 (0 turns it off).' },
    'lr-step-every': { type: 'string', value: 'N', description: 'step schedule: decay every N steps. Default a third of the run.' },
    'lr-gamma': { type: 'string', value: 'G', description: 'step schedule: decay factor. Default 0.1.' },
    'min-lr': { type: 'string', value: 'LR', description: 'cosine schedule: final rate. Default 0.' },
    'label-smoothing': { type: 'string', value: 'E', description: 'Label smoothing. Default 0.' },
    mixup: {
      type: 'string',
      value: 'ALPHA',
      description: 'mixup: blend each batch with a shuffled copy of itself, pictures and labels, weight ~ Beta(ALPHA, ALPHA) (e.g. 0.2). Default off.',
    },
    cutmix: {
      type: 'string',
      value: 'ALPHA',
      description: "CutMix: paste a box from another picture of the batch, labels weighted by area (e.g. 1). With --mixup: one of the two per batch.",
    },
    ema: {
      type: 'string',
      value: 'DECAY',
      description: 'Keep an exponential moving average of the weights (e.g. 0.999); validation, best.ckpt and model/ use it. Default off.',
    },
    bf16: {
      type: 'boolean',
      description: 'Mixed precision: convolutions in bfloat16, weights and optimizer in float32 (CPUs with AVX-512 BF16 or AMX; ~1.3x faster).',
    },
    precision: { type: 'string', value: 'P', description: 'float32 (default) or bfloat16 (the same as --bf16), e.g. to train a bf16 recipe in float32.' },
    patience: { type: 'string', value: 'N', description: 'Early stopping: epochs without a better validation accuracy. Default off.' },
    'min-delta': { type: 'string', value: 'D', description: 'Early stopping: smallest gain that counts. Default 0.' },
    seed: { type: 'string', value: 'N', description: 'Seed for weights, data order, augmentation, dropout. Default random (saved).' },
    'log-every': { type: 'string', value: 'N', description: 'Log line every N steps. Default 50.' },
    'save-every': { type: 'string', value: 'N', description: 'Checkpoint every N steps. Default 1000.' },
    keep: { type: 'string', value: 'N', description: 'Step checkpoints kept (besides best.ckpt). Default 2.' },
    out: { type: 'string', value: 'DIR', description: 'Run folder. Default runs/<model>-<date>-<time>.' },
    resume: { type: 'string', value: 'DIR', description: 'Continue this run from its newest intact checkpoint.' },
    overwrite: {
      type: 'boolean',
      description: 'With --out: replace the run already there. With --resume: start that run over from step 0 with its settings.',
    },
    json: { type: 'boolean', description: 'Print the result as JSON at the end (progress still goes to stderr).' },
    tensorboard: { type: 'boolean', description: 'Also write TensorBoard event files into <run>/tensorboard/ (tensorboard --logdir runs/).' },
    'no-report': { type: 'boolean', description: 'Skip the plots and report.html written at the end.' },
    'micro-batches': {
      type: 'string',
      value: 'K',
      description: 'Split each batch into K parts computed one after another (less memory; per-part BatchNorm statistics, as K ranks). Default 1.',
    },
    distributed: {
      type: 'boolean',
      description: 'One rank of a data-parallel job started by mpirun -np N (automatic under mpirun): each rank trains on --batch/N pictures of every batch.',
    },
  },
  examples: [
    'imgclass train data/train --test data/test --epochs 10 --out runs/cats',
    'imgclass train data/train --val-split 0.1 --model mobilenet --size 128 --schedule cosine --warmup 100',
    'imgclass train data/train --recipe fast --out runs/cats-fast',
    'imgclass train data/train --recipe best --epochs 40      # the recipe with one setting changed',
    'imgclass train data/train --test data/test --init-from keras-model/ --normalization unit --steps 200',
    'imgclass train --resume runs/cats',
    'imgclass train --resume runs/cats --epochs 20      # extend a finished run',
    'mpirun -np 4 -H a,b,c,d npx imgclass train data/train --test data/test --batch 128 --out runs/cats --distributed',
  ],
  positionals: { min: 0 },
  async run({ positionals, values, out }) {
    const resume = stringOpt(values, 'resume');
    const options = trainOptionsFrom(values, positionals);
    if (!resume && positionals.length === 0) {
      throw new UsageError("'imgclass train' needs at least one training folder (or --resume RUN). See 'imgclass train --help'.");
    }
    if (resume && values.out) throw new UsageError('--resume continues the run in its own folder; leave out --out.');
    const dataParallel = wantsDistributed(values.distributed) ? startDataParallel() : undefined;
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED); // second Ctrl-C: stop at once
      out.err(`\n${signal}: finishing this step and saving a checkpoint (press Ctrl-C again to quit at once).`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // With --json, stdout carries only the result; the running commentary moves to stderr.
    const commentary: Output = values.json ? { ...out, out: out.err } : out;
    // Rank 0 alone writes the run folder, TensorBoard files included.
    const tensorboard = values.tensorboard === true && (!dataParallel || dataParallel.isRoot) ? tensorBoardLogger() : undefined;
    const reporter = trainReporter(commentary);
    const hooks = {
      signal: controller.signal,
      onEvent: (e: TrainEvent) => {
        reporter(e);
        tensorboard?.onEvent(e);
      },
      cacheDir: stringOpt(values, 'cache-dir'),
      dataParallel,
    };
    if (dataParallel) {
      const d = dataParallel;
      commentary.out(`Distributed: ${d.size} ranks (${d.world.library.split(',')[0]}); each trains on its share of every batch; images/s are the whole job's.`);
    }
    try {
      const result = resume
        ? await resumeTraining(resume, { ...options, overwrite: values.overwrite === true }, hooks)
        : await train({ ...options, train: positionals, out: stringOpt(values, 'out'), overwrite: values.overwrite === true }, hooks);
      if (dataParallel && dataParallel.times.steps > 0) {
        const t = dataParallel.times;
        commentary.out(
          `Allreduce: ${((t.seconds / t.steps) * 1000).toFixed(1)} ms per step for ${(t.bufferBytes / 1e6).toFixed(1)} MB of gradients ` +
            `(${((t.bufferBytes * t.steps) / t.seconds / 1e9).toFixed(2)} GB/s per rank).`,
        );
      }
      if (dataParallel && !dataParallel.isRoot) return result.stopReason === 'interrupted' ? EXIT_INTERRUPTED : 0;
      if (result.stopReason !== 'interrupted' && values['no-report'] !== true) {
        const written = await writeRunReport(result.runDir, { cacheDir: stringOpt(values, 'cache-dir') });
        commentary.out(`Report: ${displayPath(written.html)}`);
      }
      reportResult(result, out, values.json === true);
      return result.stopReason === 'interrupted' ? EXIT_INTERRUPTED : 0;
    } finally {
      tensorboard?.close();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

/** Only the options the user typed, so a resume can tell them from defaults (and a recipe fills the rest). */
export function trainOptionsFrom(values: OptionValues, positionals: string[]): Partial<TrainOptions> {
  const int = (name: string) => numberOpt(values, name, 'int');
  const num = (name: string) => numberOpt(values, name);
  const preprocessing = foreignModelOptions(values);
  const precision = choiceOpt(values, 'precision', ['float32', 'bfloat16'] as const);
  if (values.bf16 === true && precision === 'float32') throw new UsageError('--bf16 and --precision float32 disagree; give one of them.');
  const recipe = stringOpt(values, 'recipe');
  if (recipe !== undefined) findRecipe(recipe); // an unknown name is wrong usage, before anything else
  const options: Partial<TrainOptions> = {
    recipe,
    train: positionals.length > 0 ? positionals : undefined,
    test: listOpt(values, 'test'),
    validationSplit: num('val-split'),
    layout: choiceOpt(values, 'layout', ['class-folders', 'filename-prefix'] as const),
    model: choiceOpt(values, 'model', MODELS.map((m) => m.name)),
    initFrom: stringOpt(values, 'init-from'),
    size: int('size'),
    resizeMode: preprocessing?.resizeMode,
    normalization: preprocessing?.normalization,
    lrn: values.lrn === true ? true : undefined,
    init: choiceOpt(values, 'init', ['default', 'tutorial'] as const),
    batchSize: int('batch'),
    microBatches: int('micro-batches'),
    epochs: int('epochs'),
    steps: int('steps'),
    lr: num('lr'),
    optimizer: choiceOpt(values, 'optimizer', ['adam', 'sgd', 'rmsprop'] as const),
    momentum: num('momentum'),
    schedule: choiceOpt(values, 'schedule', SCHEDULES),
    warmupSteps: int('warmup'),
    lrStepEvery: int('lr-step-every'),
    lrGamma: num('lr-gamma'),
    minLr: num('min-lr'),
    weightDecay: num('weight-decay'),
    labelSmoothing: num('label-smoothing'),
    mixup: num('mixup'),
    cutmix: num('cutmix'),
    ema: num('ema'),
    precision: values.bf16 === true ? 'bfloat16' : precision,
    patience: int('patience'),
    minDelta: num('min-delta'),
    augment: parseAugment(stringOpt(values, 'augment')),
    seed: int('seed'),
    logEvery: int('log-every'),
    saveEvery: int('save-every'),
    keepCheckpoints: int('keep'),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<TrainOptions>;
}

/** Each training setting a recipe may hold, and the flag that sets it (the inverse of trainOptionsFrom). */
const RECIPE_FLAGS: Record<keyof RecipeSettings, string> = {
  validationSplit: 'val-split',
  model: 'model',
  size: 'size',
  resizeMode: 'resize-mode',
  normalization: 'normalization',
  lrn: 'lrn',
  init: 'init',
  batchSize: 'batch',
  microBatches: 'micro-batches',
  epochs: 'epochs',
  steps: 'steps',
  lr: 'lr',
  optimizer: 'optimizer',
  momentum: 'momentum',
  schedule: 'schedule',
  warmupSteps: 'warmup',
  lrStepEvery: 'lr-step-every',
  lrGamma: 'lr-gamma',
  minLr: 'min-lr',
  weightDecay: 'weight-decay',
  labelSmoothing: 'label-smoothing',
  mixup: 'mixup',
  cutmix: 'cutmix',
  ema: 'ema',
  precision: 'precision',
  patience: 'patience',
  minDelta: 'min-delta',
  augment: 'augment',
  logEvery: 'log-every',
  saveEvery: 'save-every',
  keepCheckpoints: 'keep',
};

/** A recipe's settings as the command-line flags that give them, in the recipe's order. */
export function recipeFlags(settings: RecipeSettings): string[] {
  return (Object.entries(settings) as [keyof RecipeSettings, unknown][]).flatMap(([key, value]): string[] => {
    const flag = `--${RECIPE_FLAGS[key]}`;
    if (key === 'precision') return value === 'bfloat16' ? ['--bf16'] : [flag, String(value)];
    if (key === 'augment') return [flag, formatAugment(value as boolean | AugmentationOptions)];
    if (key === 'normalization' && typeof value === 'object') {
      const n = value as { kind: string; mean?: number[]; std?: number[] };
      return [flag, n.kind, ...(n.mean ? ['--mean', n.mean.join(',')] : []), ...(n.std ? ['--std', n.std.join(',')] : [])];
    }
    if (typeof value === 'boolean') return value ? [flag] : [];
    return [flag, String(value)];
  });
}

/** One line per recipe for the help text. */
function recipeLines(): string[] {
  const width = Math.max(...RECIPES.map((r) => r.name.length)) + 2;
  return RECIPES.map((r) => `  ${r.name.padEnd(width)}${r.summary}`);
}

const AUGMENT_KEYS: Record<string, Exclude<keyof AugmentationOptions, 'flip'>> = {
  'pad-crop': 'padCrop',
  'scale-crop': 'scaleCrop',
  rotation: 'rotation',
  brightness: 'brightness',
  contrast: 'contrast',
  erase: 'erase',
};

/** 'none' | 'flip' | 'flip,pad-crop=8,rotation=10,erase=0.25' -> augmentation options. */
export function parseAugment(spec: string | undefined): boolean | AugmentationOptions | undefined {
  if (spec === undefined) return undefined;
  if (spec === 'none') return false;
  if (spec === 'flip') return true;
  const options: AugmentationOptions = { flip: false };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    if (part === 'flip') {
      options.flip = true;
      continue;
    }
    const [key, raw] = part.split('=');
    const value = Number(raw);
    if (!(key in AUGMENT_KEYS) || raw === undefined || !Number.isFinite(value)) {
      throw new UsageError(
        `Cannot read '${part}' in --augment; use none, flip, or a list like flip,pad-crop=8,scale-crop=0.8,rotation=10,brightness=0.1,contrast=0.1,erase=0.25.`,
      );
    }
    options[AUGMENT_KEYS[key]] = value;
  }
  return options;
}

/** Augmentation options as --augment takes them (the inverse of parseAugment). */
export function formatAugment(augment: boolean | AugmentationOptions): string {
  if (augment === false) return 'none';
  if (augment === true) return 'flip';
  const parts = augment.flip === false ? [] : ['flip'];
  for (const [name, key] of Object.entries(AUGMENT_KEYS)) if (augment[key] !== undefined) parts.push(`${name}=${augment[key]}`);
  return parts.length > 0 ? parts.join(',') : 'none';
}

/** Turns training events into a progress line (terminal only) and log lines. */
export function trainReporter(out: Output): (event: TrainEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'decode-progress':
        out.status(`decoding ${bar(e.done / e.total)} ${e.done}/${e.total} pictures`);
        break;
      case 'warning':
        out.err(`warning: ${e.message}`);
        break;
      case 'data': {
        const { train, validation } = e.report.splits;
        const val = validation ? `, validation ${thousands(validation.images)}` : ', no validation set';
        out.out(`Data: ${e.classes.length} classes (${e.classes.join(', ')}); training ${thousands(train.images)} pictures${val}`);
        break;
      }
      case 'start': {
        const c = e.config;
        const resumed = e.resumedFrom !== null ? `, resuming at step ${e.resumedFrom}` : '';
        const recipe = c.recipe ? `, recipe ${c.recipe}` : '';
        const from = c.initFrom ? ` from ${displayPath(c.initFrom)}` : '';
        out.out(`Model: ${c.model}${from} at ${c.size}×${c.size}, ${thousands(e.params)} parameters`);
        out.out(
          `Plan: ${thousands(e.totalSteps)} steps (${e.stepsPerEpoch} per epoch, ${e.epochs} epoch${e.epochs === 1 ? '' : 's'}), batch ${c.batchSize}, ` +
            `${c.optimizer} lr ${c.lr} ${c.schedule}${c.warmupSteps ? ` warm-up ${c.warmupSteps}` : ''}${c.precision === 'bfloat16' ? ', bf16' : ''}, ` +
            `seed ${c.seed}${recipe}${resumed}`,
        );
        out.out(`Run folder: ${e.runDir}`);
        break;
      }
      case 'step':
        out.status(
          `epoch ${e.epoch}/${e.epochs} ${bar(e.stepInEpoch / e.stepsPerEpoch)} ${e.stepInEpoch}/${e.stepsPerEpoch} ` +
            `step ${e.step}/${e.totalSteps} | ${e.imagesPerSecond.toFixed(0)} img/s | ETA ${duration(e.etaSeconds)} | ` +
            `loss ${e.loss.toFixed(4)} acc ${percent(e.accuracy)}`,
        );
        break;
      case 'log': {
        const r = e.record;
        out.out(
          `step ${r.step}  epoch ${r.epoch}  loss ${r.loss.toFixed(4)}  acc ${percent(r.accuracy)}  ` +
            `lr ${r.lr.toExponential(2)}  ${(r.imagesPerSecond ?? 0).toFixed(0)} img/s  ` +
            `data wait ${(r.dataWaitMs ?? 0).toFixed(1)} ms/step (${(r.dataWaitPercent ?? 0).toFixed(1)}%)`,
        );
        break;
      }
      case 'epoch-end':
        out.out(
          `epoch ${e.epoch} done in ${duration(e.seconds)}: loss ${e.train.loss.toFixed(4)} acc ${percent(e.train.accuracy)}, ` +
            `data wait ${e.dataWaitMs.toFixed(1)} ms/step (${e.dataWaitPercent.toFixed(1)}% of the step time)`,
        );
        break;
      case 'validation':
        out.out(
          `validation after step ${e.record.step}: loss ${e.record.loss.toFixed(4)} acc ${percent(e.record.accuracy)}${e.best ? ' (best so far)' : ''}`,
        );
        break;
      case 'early-stop':
        out.out(`Early stop after epoch ${e.epoch}: no better validation accuracy for ${e.patience} epochs (best ${percent(e.bestValAccuracy)}).`);
        break;
      case 'interrupted':
        out.err(`Interrupted at step ${e.step}; checkpoint saved: ${e.file}`);
        break;
      case 'checkpoint':
        break;
    }
  };
}

function reportResult(r: TrainResult, out: Output, json: boolean): void {
  if (json) {
    out.out(JSON.stringify(r, null, 2));
    return;
  }
  if (r.stopReason === 'interrupted') {
    out.err(`Continue with: imgclass train --resume ${displayPath(r.runDir)}`);
    return;
  }
  const val = r.validationAccuracy !== null ? `; validation accuracy ${percent(r.validationAccuracy)} (best ${percent(r.bestValidationAccuracy ?? NaN)}, epoch ${r.bestValidationEpoch})` : '';
  out.out(`Done: ${thousands(r.steps)} steps in ${duration(r.seconds)} (${r.imagesPerSecond.toFixed(0)} img/s); training accuracy ${percent(r.trainAccuracy)}${val}.`);
  out.out(`Model: ${displayPath(path.join(r.modelDir ?? '', 'model.json'))}`);
}

/** Relative to the working directory when inside it, else absolute. */
function displayPath(p: string): string {
  const relative = path.relative(process.cwd(), p);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? p : relative;
}
