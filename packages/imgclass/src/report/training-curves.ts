import type { MetricsRecord } from '../train/metrics-log';
import { smooth } from '../math/smooth';
import { lineChart, Series, smoothingFor } from './line-chart';
import { COLOURS } from './svg';

export interface TrainingCurves {
  loss: string;
  accuracy: string;
  lr: string;
}

/**
 * Loss and accuracy against the step: training windows (every `log-every`
 * steps) raw and smoothed, validation once per epoch as dots; and the
 * learning rate the schedule used.
 */
export function trainingCurves(records: readonly MetricsRecord[]): TrainingCurves {
  const train = records.filter((r) => r.split === 'train');
  const validation = records.filter((r) => r.split === 'validation');
  const weight = smoothingFor(train.length);
  const curve = (key: 'loss' | 'accuracy'): Series[] => {
    const raw = train.map((r) => ({ x: r.step, y: r[key] }));
    const smoothed = smooth(raw.map((p) => p.y), weight);
    const series: Series[] = [];
    if (weight > 0) series.push({ label: '', colour: COLOURS.train, points: raw, style: 'faint' });
    series.push({
      label: weight > 0 ? `training, smoothed ${weight}` : 'training',
      colour: COLOURS.train,
      points: raw.map((p, i) => ({ x: p.x, y: smoothed[i] })),
      style: 'line',
    });
    if (validation.length > 0) {
      series.push({
        label: 'validation, per epoch',
        colour: COLOURS.validation,
        points: validation.map((r) => ({ x: r.step, y: r[key] })),
        style: 'dots',
      });
    }
    return series;
  };
  return {
    loss: lineChart({ title: 'Loss', xLabel: 'training step', yLabel: 'cross-entropy (nats)', series: curve('loss'), yInclude: [0] }),
    accuracy: lineChart({
      title: 'Accuracy',
      xLabel: 'training step',
      yLabel: 'accuracy (%)',
      series: curve('accuracy'),
      yInclude: [0, 1],
      yTick: (v) => `${Math.round(v * 100)}`,
    }),
    lr: lineChart({
      title: 'Learning rate',
      xLabel: 'training step',
      yLabel: 'learning rate (per step)',
      series: [{ label: 'learning rate', colour: COLOURS.lr, points: train.map((r) => ({ x: r.step, y: r.lr })), style: 'line' }],
      yInclude: [0],
      height: 220,
    }),
  };
}
