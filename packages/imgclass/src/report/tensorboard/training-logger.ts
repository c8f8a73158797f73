import path from 'node:path';
import type { TrainEvent } from '../../train/events';
import type { MetricsRecord } from '../../train/metrics-log';
import { readRunFolder } from '../../trained-network/run-folder';
import { readMetricsRecords } from '../run-metrics';
import { EventFileWriter } from './event-file-writer';

/** Inside the run folder; `tensorboard --logdir runs/` finds `<run>/tensorboard/train` and `.../validation`. */
export const TENSORBOARD_DIR = 'tensorboard';

/**
 * Training and validation go to sibling folders with the same tags, so
 * TensorBoard draws them as two lines of one chart.
 */
class SplitWriters {
  private readonly writers = new Map<MetricsRecord['split'], EventFileWriter>();

  constructor(
    private readonly dir: string,
    /** Step of a session-start event that makes TensorBoard drop older data from this step on. */
    private readonly purgeFrom: number | null = null,
  ) {}

  record(r: MetricsRecord, wallTimeMs?: number): void {
    let writer = this.writers.get(r.split);
    if (!writer) {
      writer = new EventFileWriter(path.join(this.dir, r.split));
      if (this.purgeFrom !== null) writer.write(this.purgeFrom, { kind: 'session-start' });
      this.writers.set(r.split, writer);
    }
    const values: Record<string, number> = { loss: r.loss, accuracy: r.accuracy };
    if (r.split === 'train') {
      values.learning_rate = r.lr;
      if (r.imagesPerSecond !== null) values.images_per_second = r.imagesPerSecond;
    }
    writer.scalars(r.step, values, wallTimeMs);
  }

  close(): void {
    for (const w of this.writers.values()) w.close();
    this.writers.clear();
  }
}

export interface TensorBoardLogger {
  /** Pass every training event; the logged windows and validation passes become scalars. */
  onEvent(event: TrainEvent): void;
  close(): void;
}

/**
 * `train --tensorboard`: writes the scalars of metrics.jsonl as they are
 * logged. A resumed run first tells TensorBoard to forget what came after its
 * checkpoint, as metrics.jsonl does.
 */
export function tensorBoardLogger(runDir?: string): TensorBoardLogger {
  let writers: SplitWriters | null = null;
  return {
    onEvent(e) {
      if (e.type === 'start') {
        writers?.close();
        // TensorBoard keeps what is below a START event's step; metrics.jsonl keeps the checkpoint's own step.
        const purgeFrom = e.resumedFrom === null ? null : e.resumedFrom + 1;
        writers = new SplitWriters(path.join(runDir ?? e.runDir, TENSORBOARD_DIR), purgeFrom);
      } else if ((e.type === 'log' || e.type === 'validation') && writers) {
        writers.record(e.record);
      }
    },
    close() {
      writers?.close();
      writers = null;
    },
  };
}

/** `imgclass report --tensorboard`: event files for a run trained without the flag, from its metrics.jsonl. */
export async function writeTensorBoardFromMetrics(runDir: string): Promise<string> {
  const { config } = await readRunFolder(runDir);
  const started = Date.parse(config.createdAt) || Date.now();
  const dir = path.join(runDir, TENSORBOARD_DIR);
  // Step 0: this conversion replaces any earlier one in TensorBoard's view.
  const writers = new SplitWriters(dir, 0);
  try {
    for (const r of await readMetricsRecords(runDir)) writers.record(r, started + r.seconds * 1000);
  } finally {
    writers.close();
  }
  return dir;
}
