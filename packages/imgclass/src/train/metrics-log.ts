import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withFileContext } from '../io/fs-errors';

export const METRICS_JSONL = 'metrics.jsonl';
export const METRICS_CSV = 'metrics.csv';

/** One logged measurement: a training window (`log-every` steps) or a validation pass. */
export interface MetricsRecord {
  split: 'train' | 'validation';
  step: number;
  /** 1-based epoch. */
  epoch: number;
  loss: number;
  accuracy: number;
  lr: number;
  /** Training images per second over the window (train records only). */
  imagesPerSecond: number | null;
  /** Training seconds since the run began. */
  seconds: number;
  /** Mean milliseconds per step the loop waited for its batch, over the window (train records only). */
  dataWaitMs?: number | null;
  /** The same as a share of the step time, in percent: ~0 when data preparation keeps up. */
  dataWaitPercent?: number | null;
}

const CSV_COLUMNS: (keyof MetricsRecord)[] = ['split', 'step', 'epoch', 'loss', 'accuracy', 'lr', 'imagesPerSecond', 'seconds', 'dataWaitMs', 'dataWaitPercent'];

/** Appends to metrics.jsonl (one JSON object a line) and metrics.csv (the same, for spreadsheets). */
export class MetricsLog {
  constructor(private readonly runDir: string) {}

  /** Creates both files with the CSV header (a new run). */
  async create(): Promise<void> {
    await write(path.join(this.runDir, METRICS_JSONL), '');
    await write(path.join(this.runDir, METRICS_CSV), `${CSV_COLUMNS.join(',')}\n`);
  }

  /**
   * On resume: drops records logged after the checkpoint's step, which the
   * resumed run logs again, so the files read as one uninterrupted run.
   */
  async truncateAfter(step: number): Promise<void> {
    const jsonl = path.join(this.runDir, METRICS_JSONL);
    const records = (await readFile(jsonl, 'utf8').catch(() => ''))
      .split('\n')
      .map(parseRecord) // a kill -9 mid-append can leave a torn last line: dropped
      .filter((r): r is MetricsRecord => r !== null && r.step <= step);
    await write(jsonl, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await write(path.join(this.runDir, METRICS_CSV), [CSV_COLUMNS.join(','), ...records.map(csvLine)].join('\n') + '\n');
  }

  async append(record: MetricsRecord): Promise<void> {
    await append(path.join(this.runDir, METRICS_JSONL), `${JSON.stringify(record)}\n`);
    await append(path.join(this.runDir, METRICS_CSV), `${csvLine(record)}\n`);
  }
}

/* Writes whose errors name the file (Node's ENOSPC for a write names none). */
const write = (file: string, text: string) => withFileContext(file, 'write', () => writeFile(file, text));
const append = (file: string, text: string) => withFileContext(file, 'write', () => appendFile(file, text));

function parseRecord(line: string): MetricsRecord | null {
  try {
    const r = JSON.parse(line) as MetricsRecord;
    return typeof r?.step === 'number' ? r : null;
  } catch {
    return null;
  }
}

function csvLine(r: MetricsRecord): string {
  return CSV_COLUMNS.map((c) => {
    const v = r[c];
    return v === null || v === undefined ? '' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : v;
  }).join(',');
}
