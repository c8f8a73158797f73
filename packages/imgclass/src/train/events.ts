import type { DatasetReport } from '../data/report';
import type { MetricsRecord } from './metrics-log';
import type { RunConfig } from '../trained-network/run-config';

/** What the training loop reports as it goes; the CLI turns these into a progress bar and log lines. */
export type TrainEvent =
  | { type: 'decode-progress'; done: number; total: number }
  | { type: 'warning'; message: string }
  | { type: 'data'; report: DatasetReport; classes: string[] }
  | {
      type: 'start';
      runDir: string;
      config: RunConfig;
      params: number;
      totalSteps: number;
      stepsPerEpoch: number;
      epochs: number;
      /** Step of the checkpoint a resumed run continues from. */
      resumedFrom: number | null;
    }
  | {
      type: 'step';
      step: number;
      totalSteps: number;
      /** 1-based. */
      epoch: number;
      epochs: number;
      stepInEpoch: number;
      stepsPerEpoch: number;
      /** Running means over the epoch so far. */
      loss: number;
      accuracy: number;
      imagesPerSecond: number;
      etaSeconds: number;
      lr: number;
      /** Share of the epoch's step time so far spent waiting for batches, in percent. */
      dataWaitPercent: number;
    }
  | { type: 'log'; record: MetricsRecord }
  | {
      type: 'epoch-end';
      epoch: number;
      train: { loss: number; accuracy: number };
      seconds: number;
      /** Waiting for batches: mean milliseconds per step, and share of the step time in percent. */
      dataWaitMs: number;
      dataWaitPercent: number;
    }
  | { type: 'validation'; record: MetricsRecord; best: boolean }
  | { type: 'checkpoint'; file: string; step: number; reason: 'interval' | 'epoch' | 'best' | 'final' | 'interrupt' }
  | { type: 'early-stop'; epoch: number; patience: number; bestValAccuracy: number }
  | { type: 'interrupted'; step: number; file: string };
