import type * as tf from '@tensorflow/tfjs';
import { loadImageFolder } from '../data/load-image-folder';
import { ImgclassError } from '../errors';
import { smooth } from '../math/smooth';
import { logitsView } from './logits';
import { resolveRunConfig, TrainOptions } from '../trained-network/run-config';
import { createOptimizer } from './optimizer';
import { buildRunNetwork } from '../trained-network/run-network';
import { trainStep } from './train-step';

/** The training settings of TrainOptions that matter for a short run with a rising rate. */
type RunSettings = Omit<
  TrainOptions,
  'test' | 'validationSplit' | 'epochs' | 'steps' | 'lr' | 'schedule' | 'warmupSteps' | 'lrStepEvery' | 'lrGamma' | 'minLr' | 'patience' | 'minDelta' | 'logEvery' | 'saveEvery' | 'keepCheckpoints' | 'mixup' | 'cutmix' | 'ema' | 'recipe'
>;

export interface LrFindOptions extends RunSettings {
  /** First learning rate. Default 1e-7. */
  startLr?: number;
  /** Last learning rate, reached at the last step. Default 10. */
  endLr?: number;
  /** Optimizer steps, the rate rising by the same factor each step. Default 100. */
  steps?: number;
  /** Stop once the smoothed loss exceeds this multiple of the best smoothed loss (or is not finite). Default 4. */
  divergeFactor?: number;
  /** Weight of the loss's exponential moving average (debiased). Default 0.98, as fastai. */
  smoothing?: number;
  onStep?: (step: number, steps: number, lr: number, smoothedLoss: number) => void;
}

export interface LrFindResult {
  /** The rate of each step taken, rising exponentially. */
  lrs: number[];
  /** Training loss of each step's batch. */
  losses: number[];
  smoothedLosses: number[];
  /** True when the loss blew up and the run stopped before the last step. */
  stoppedEarly: boolean;
  /** Where the smoothed loss falls fastest per factor of learning rate (before its minimum). */
  suggestedLr: number;
  /** The rate at the smoothed loss's minimum; a tenth of it is the other common rule of thumb. */
  minimumLr: number;
  settings: { model: string; size: number; batchSize: number; optimizer: string; startLr: number; endLr: number; steps: number; smoothing: number; seed: number };
}

/** The learning rate of 0-based step `i` of `steps`: start at i = 0, end at the last step. */
export function exponentialLr(i: number, steps: number, startLr: number, endLr: number): number {
  return startLr * (endLr / startLr) ** (steps > 1 ? i / (steps - 1) : 0);
}

/**
 * fastai's learning-rate finder (after Smith, "Cyclical Learning Rates"):
 * train a fresh network for a few steps while the rate rises exponentially
 * from `startLr` to `endLr`, record the smoothed loss, stop when it
 * explodes, and suggest the rate where it falls fastest. The network is
 * thrown away afterwards; start the real run with the suggestion.
 */
export async function lrFind(options: LrFindOptions): Promise<LrFindResult> {
  const startLr = options.startLr ?? 1e-7;
  const endLr = options.endLr ?? 10;
  const steps = options.steps ?? 100;
  const divergeFactor = options.divergeFactor ?? 4;
  const smoothing = options.smoothing ?? 0.98;
  if (!(startLr > 0 && endLr > startLr && Number.isFinite(endLr))) throw invalid(`The rates must satisfy 0 < start < end, got start ${startLr}, end ${endLr}.`);
  if (!Number.isInteger(steps) || steps < 2) throw invalid(`lr-find needs at least 2 steps, got ${steps}.`);
  if (!(divergeFactor > 1)) throw invalid(`The divergence factor must be above 1, got ${divergeFactor}.`);
  if (!(smoothing >= 0 && smoothing < 1)) throw invalid(`The smoothing must be in [0, 1), got ${smoothing}.`);
  const { onStep, startLr: _s, endLr: _e, divergeFactor: _d, smoothing: _m, ...run } = options;
  const config = resolveRunConfig({ ...run, steps, lr: startLr });
  const data = await loadImageFolder({
    roots: config.train,
    layout: config.layout,
    preprocessing: { size: config.size, resizeMode: config.resizeMode, normalization: config.normalization },
    seed: config.seed,
    cacheDir: options.cacheDir,
  });
  let model: tf.LayersModel | undefined;
  let optimizer: tf.Optimizer | undefined;
  const lrs: number[] = [];
  const losses: number[] = [];
  let smoothed: number[] = [];
  let stoppedEarly = false;
  try {
    model = await buildRunNetwork(config, data.classes.length);
    optimizer = createOptimizer(config.optimizer, startLr, config.momentum);
    const parts = { model, logits: logitsView(model), optimizer, variables: model.trainableWeights.map((w) => w.read() as tf.Variable) };
    const dropRemainder = data.train.size >= config.batchSize;
    let best = Infinity;
    for (let epoch = 0; lrs.length < steps && !stoppedEarly; epoch++) {
      const batches = data.train.batches({ batchSize: config.batchSize, epoch, shuffle: true, augment: config.augment, labelFormat: 'index', dropRemainder });
      for await (const batch of batches) {
        const step = lrs.length;
        const lr = exponentialLr(step, steps, startLr, endLr);
        const { loss } = trainStep(parts, batch, { lr, labelSmoothing: config.labelSmoothing, weightDecay: config.weightDecay, seed: config.seed, step });
        lrs.push(lr);
        losses.push(loss);
        smoothed = smooth(losses, smoothing);
        const current = smoothed[step];
        onStep?.(step + 1, steps, lr, current);
        if (!Number.isFinite(current) || current > divergeFactor * best) stoppedEarly = step + 1 < steps;
        else best = Math.min(best, current);
        if (stoppedEarly || lrs.length === steps) break;
      }
    }
  } finally {
    model?.dispose();
    optimizer?.dispose();
    await data.close();
  }
  const { suggestedLr, minimumLr } = suggestLr(lrs, smoothed);
  return {
    lrs,
    losses,
    smoothedLosses: smoothed,
    stoppedEarly,
    suggestedLr,
    minimumLr,
    settings: { model: config.model, size: config.size, batchSize: config.batchSize, optimizer: config.optimizer, startLr, endLr, steps, smoothing, seed: config.seed },
  };
}

/**
 * The steepest descent of the smoothed loss against log(lr), looked for
 * between the first tenth of the steps (the moving average is still
 * settling there, so the minimum is not looked for there either) and the
 * loss's minimum (beyond it the rate is too high
 * already). Without a falling stretch it falls back to minimum/10 (at least
 * the first rate).
 */
export function suggestLr(lrs: readonly number[], smoothedLosses: readonly number[]): { suggestedLr: number; minimumLr: number } {
  const finite = smoothedLosses.map((l, i) => ({ l, i })).filter((p) => Number.isFinite(p.l));
  if (finite.length === 0) throw new ImgclassError('NAN_LOSS', 'The loss was not finite at any step; lower --start.');
  const settled = finite.filter((p) => p.i >= Math.floor(lrs.length / 10));
  const minimumAt = (settled.length > 0 ? settled : finite).reduce((a, b) => (b.l < a.l ? b : a)).i;
  const minimumLr = lrs[minimumAt];
  const from = Math.min(Math.floor(lrs.length / 10), Math.max(0, minimumAt - 1));
  let steepest = -1;
  let slope = 0;
  for (let i = from; i < minimumAt; i++) {
    const s = (smoothedLosses[i + 1] - smoothedLosses[i]) / (Math.log10(lrs[i + 1]) - Math.log10(lrs[i]));
    if (s < slope) [steepest, slope] = [i, s];
  }
  const suggestedLr = steepest >= 0 ? Math.sqrt(lrs[steepest] * lrs[steepest + 1]) : Math.max(lrs[0], minimumLr / 10);
  return { suggestedLr, minimumLr };
}

function invalid(message: string): ImgclassError {
  return new ImgclassError('INVALID_OPTION', message);
}
