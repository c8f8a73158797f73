import type { RunConfig } from '../trained-network/run-config';

/**
 * The learning rate for a 0-based step: linear warm-up to the peak over
 * `warmupSteps`, then constant, cosine decay to `minLr` by `totalSteps`, or
 * ×`lrGamma` every `lrStepEvery` steps. A pure function of the step, so a
 * resumed run needs no schedule state.
 */
export function learningRateAt(
  step: number,
  totalSteps: number,
  c: Pick<RunConfig, 'lr' | 'schedule' | 'warmupSteps' | 'lrStepEvery' | 'lrGamma' | 'minLr'>,
): number {
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
