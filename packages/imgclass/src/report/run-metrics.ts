import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { METRICS_JSONL, MetricsRecord } from '../train/metrics-log';

/**
 * The records of a run's metrics.jsonl. A run still training may be caught
 * mid-append, so a torn last line is skipped rather than an error; a missing
 * file is an empty history.
 */
export async function readMetricsRecords(runDir: string): Promise<MetricsRecord[]> {
  const text = await readFile(path.join(runDir, METRICS_JSONL), 'utf8').catch(() => '');
  const records: MetricsRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as MetricsRecord;
      if ((r.split === 'train' || r.split === 'validation') && typeof r.step === 'number') records.push(r);
    } catch {
      // a line being written right now
    }
  }
  return records;
}

/** What the run list shows about a run's history. */
export interface MetricsSummary {
  steps: number;
  /** Best validation accuracy; null without a validation set. */
  bestValidationAccuracy: number | null;
  /** The (first) epoch that reached it. */
  bestValidationEpoch: number | null;
  lastTrainAccuracy: number | null;
  /** Training seconds so far. */
  seconds: number;
}

export function summarizeMetrics(records: MetricsRecord[]): MetricsSummary {
  const validation = records.filter((r) => r.split === 'validation' && Number.isFinite(r.accuracy));
  const best = validation.reduce<MetricsRecord | null>((b, r) => (b === null || r.accuracy > b.accuracy ? r : b), null);
  const train = records.filter((r) => r.split === 'train');
  const last = records[records.length - 1];
  return {
    steps: last?.step ?? 0,
    bestValidationAccuracy: best?.accuracy ?? null,
    bestValidationEpoch: best?.epoch ?? null,
    lastTrainAccuracy: train.length > 0 ? train[train.length - 1].accuracy : null,
    seconds: last?.seconds ?? 0,
  };
}
