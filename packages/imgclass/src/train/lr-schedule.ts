import type { RunConfig } from '../trained-network/run-config';

/** One-cycle (fastai's fit_one_cycle, PyTorch's OneCycleLR): the share of the run spent rising, as fastai. */
export const ONE_CYCLE_PCT_START = 0.25;
/** One-cycle starts at lr / 25 (PyTorch's div_factor)… */
export const ONE_CYCLE_DIV = 25;
/** …and ends at lr / 25 / 1e4 (final_div_factor). */
export const ONE_CYCLE_FINAL_DIV = 1e4;

/**
 * The learning rate for a 0-based step: linear warm-up to the peak over
 * `warmupSteps`, then constant, cosine decay to `minLr` by `totalSteps`,
 * ×`lrGamma` every `lrStepEvery` steps, or one cycle (its own warm-up). A
 * pure function of the step, so a resumed run needs no schedule state.
 */
export function learningRateAt(
  step: number,
  totalSteps: number,
  c: Pick<RunConfig, 'lr' | 'schedule' | 'warmupSteps' | 'lrStepEvery' | 'lrGamma' | 'minLr'>,
): number {
  if (c.schedule === 'one-cycle') return oneCycleLr(step, totalSteps, c.lr);
  if (step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  const t = step - c.warmupSteps;
  const span = Math.max(1, totalSteps - c.warmupSteps);
  switch (c.schedule) {
    case 'constant':
      return c.lr;
    case 'cosine':
      return c.minLr + 0.5 * (c.lr - c.minLr) * (1 + Math.cos(Math.PI * Math.min(1, t / span)));
    case 'step': {
      const every = c.lrStepEvery ?? Math.max(1, Math.ceil(span / 3));
      return c.lr * c.lrGamma ** Math.floor(t / every);
    }
  }
}

/**
 * PyTorch's OneCycleLR with fastai's pct_start 0.25 (anneal_strategy 'cos',
 * two phases): cosine from lr/25 up to lr over the first quarter of the steps,
 * then cosine down to lr/25e4 at the last step. Same step arithmetic as
 * PyTorch (phase ends at pct_start·total − 1 and total − 1).
 */
export function oneCycleLr(step: number, totalSteps: number, lr: number): number {
  const initial = lr / ONE_CYCLE_DIV;
  const phases = [
    { end: ONE_CYCLE_PCT_START * totalSteps - 1, from: initial, to: lr },
    { end: totalSteps - 1, from: lr, to: initial / ONE_CYCLE_FINAL_DIV },
  ];
  let start = 0;
  for (let i = 0; i < phases.length; i++) {
    const phase = phases[i];
    if (step <= phase.end || i === phases.length - 1) {
      // A run too short for a phase (end <= start) sits at its end value, as a zero-length phase would.
      const pct = phase.end > start ? Math.min(1, (step - start) / (phase.end - start)) : 1;
      return phase.to + ((phase.from - phase.to) / 2) * (1 + Math.cos(Math.PI * pct));
    }
    start = phase.end;
  }
  return lr;
}
