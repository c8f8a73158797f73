// Named sets of training settings (`imgclass train --recipe NAME`). Data only: tune the values here.
import { supportsBfloat16 } from '../backend';
import { ImgclassError } from '../errors';
import type { TrainOptions } from './run-config';

/** What a recipe may set: how to train, never which pictures or where the run goes. */
export type RecipeSettings = Omit<Partial<TrainOptions>, 'train' | 'test' | 'layout' | 'initFrom' | 'recipe' | 'seed' | 'cacheDir'>;

export interface Recipe {
  name: string;
  /** One line for `train --help` and `imgclass recipes`. */
  summary: string;
  settings: RecipeSettings;
}

/** The network and training length of README's accuracy rows; `imgclass recipes` lists them as flags. */
export const RECIPES: readonly Recipe[] = [
  {
    name: 'seed',
    summary: "The seed tutorial as it was: LeNet-5 at 150×150 from its initialization, Adam 1e-4, no warm-up, no augmentation, 10 epochs.",
    settings: {
      model: 'lenet5',
      size: 150,
      init: 'tutorial',
      batchSize: 32,
      optimizer: 'adam',
      lr: 1e-4,
      schedule: 'constant',
      warmupSteps: 0,
      // README accuracy row 1 and the LeNet-5 ablation: the seed trained without augmentation.
      augment: false,
      epochs: 10,
    },
  },
  {
    name: 'fast',
    summary: 'The 20-minute row: resnet18-half at 128×128, 22 epochs, cosine, flips and ±16-pixel shifts, bf16 (accuracy row 3).',
    settings: {
      model: 'resnet18-half',
      size: 128,
      batchSize: 32,
      epochs: 22,
      optimizer: 'adam',
      lr: 1e-3,
      schedule: 'cosine',
      warmupSteps: 100,
      augment: { flip: true, padCrop: 16 },
      precision: 'bfloat16',
      validationSplit: 0.05,
    },
  },
  {
    name: 'best',
    summary: 'The 60-minute row: resnet18-half at 176×176 for 30 epochs with an average of the weights (EMA 0.999), mixup 0.2 and label smoothing 0.1.',
    settings: {
      model: 'resnet18-half',
      // Size from validation alone: at 128 the validation loss rose after epoch 31 of 44 (best
      // 94.0%); at 160 it was still falling after 30 epochs (best 94.9%). 176 is the largest size
      // whose 30 epochs (~89 s each: row 4 trained at 156 img/s) leave ~14 minutes of the hour for decoding and drift.
      size: 176,
      batchSize: 32,
      epochs: 30,
      optimizer: 'adam',
      lr: 1e-3,
      schedule: 'cosine',
      warmupSteps: 100,
      augment: { flip: true, padCrop: 16 },
      ema: 0.999,
      mixup: 0.2,
      labelSmoothing: 0.1,
      precision: 'bfloat16',
      validationSplit: 0.05,
    },
  },
];

export function recipeNames(): string[] {
  return RECIPES.map((r) => r.name);
}

/** The recipe called `name`; an unknown name is wrong usage, in one sentence naming the known ones. */
export function findRecipe(name: string): Recipe {
  const recipe = RECIPES.find((r) => r.name === name);
  if (!recipe) throw new ImgclassError('INVALID_OPTION', `Unknown recipe '${name}'; the recipes are ${recipeNames().join(', ')}.`);
  return recipe;
}

/**
 * `options` with its recipe's settings wherever `options` has none: what the caller sets always
 * wins. A recipe setting that belongs to one the caller changed is left out too: its lr, init
 * and lrn go with its model (and a network from initFrom sets model and size itself), its epochs
 * with a length given as steps, its warm-up with any schedule but one-cycle (which warms up by
 * itself). bfloat16 becomes float32 on a CPU without bf16 instructions.
 */
export function withRecipe(options: TrainOptions): TrainOptions {
  if (options.recipe === undefined) return options;
  const { settings } = findRecipe(options.recipe);
  const model = options.initFrom ? undefined : (options.model ?? settings.model);
  const schedule = options.schedule ?? settings.schedule;
  const leftOut = (key: keyof RecipeSettings): boolean => {
    switch (key) {
      case 'model':
      case 'size':
        return options.initFrom !== undefined;
      case 'lr':
      case 'init':
      case 'lrn':
        return model !== settings.model;
      case 'epochs':
        return options.steps !== undefined;
      case 'warmupSteps':
        return schedule === 'one-cycle';
      default:
        return false;
    }
  };
  const filled: Record<string, unknown> = { ...options };
  for (const [key, value] of Object.entries(settings) as [keyof RecipeSettings, unknown][]) {
    if (filled[key] !== undefined || leftOut(key)) continue;
    filled[key] = key === 'precision' && value === 'bfloat16' && !supportsBfloat16() ? 'float32' : value;
  }
  return filled as unknown as TrainOptions;
}
