import type { LrFindResult } from '../train/lr-find';
import { lineChart, Series } from './line-chart';
import { COLOURS } from './svg';

/** Loss against learning rate on a log axis: raw (faint), smoothed, and the suggested rate as a dot. */
export function lrFindChart(r: LrFindResult): string {
  const at = (i: number) => ({ x: r.lrs[i], y: r.smoothedLosses[i] });
  const nearest = (lr: number) => r.lrs.reduce((best, v, i) => (Math.abs(Math.log(v / lr)) < Math.abs(Math.log(r.lrs[best] / lr)) ? i : best), 0);
  // Raw losses far above the smoothed curve (the blow-up at the end) would squash the interesting part.
  const cap = 1.5 * Math.max(...r.smoothedLosses.filter(Number.isFinite));
  const series: Series[] = [
    { label: '', colour: COLOURS.train, points: r.lrs.map((x, i) => ({ x, y: r.losses[i] <= cap ? r.losses[i] : NaN })), style: 'faint' },
    { label: `loss, smoothed ${r.settings.smoothing}`, colour: COLOURS.train, points: r.lrs.map((_, i) => at(i)), style: 'line' },
    { label: `suggested ${formatLr(r.suggestedLr)}`, colour: COLOURS.validation, points: [{ ...at(nearest(r.suggestedLr)), x: r.suggestedLr }], style: 'dots' },
  ];
  return lineChart({
    title: 'Learning-rate finder',
    xLabel: 'learning rate (log scale)',
    yLabel: 'cross-entropy (nats)',
    xScale: 'log',
    series,
    width: 560,
  });
}

/** 0.0031622 -> '3.2e-3'. */
export function formatLr(lr: number): string {
  return lr.toExponential(1).replace('e+', 'e').replace('.0e', 'e');
}
