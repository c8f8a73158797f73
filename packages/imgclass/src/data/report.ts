import { SkippedFile } from './scan';

export interface SplitReport {
  images: number;
  perClass: Record<string, number>;
  /** Where the split came from: folders, or 'split of training data'. */
  source: string[];
}

export interface SizeStats {
  count: number;
  minWidth: number;
  maxWidth: number;
  medianWidth: number;
  minHeight: number;
  maxHeight: number;
  medianHeight: number;
}

/** Everything the CLI prints about a dataset, as data (JSON-serializable). */
export interface DatasetReport {
  classes: string[];
  splits: { train: SplitReport; validation?: SplitReport };
  /** Sizes of the usable source images (after EXIF orientation, before resizing). */
  imageSize: SizeStats | null;
  formats: Record<string, number>;
  skipped: SkippedFile[];
  /** Hidden and OS bookkeeping files passed over without a warning. */
  ignored: number;
  /** Largest class count divided by the smallest, in the training split. */
  imbalanceRatio: number;
  warnings: string[];
  /** One line: how many files were skipped, or that none were. */
  summary: string;
  cache: { dir: string; reused: number; decoded: number; decodeSeconds: number };
}

/** Imbalance beyond this ratio is worth a warning: accuracy alone starts to mislead. */
export const IMBALANCE_WARNING_RATIO = 1.5;

export function countPerClass(classes: readonly string[], labels: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  for (const l of labels) counts[classes[l]]++;
  return counts;
}

export function sizeStats(sizes: readonly { width: number; height: number }[]): SizeStats | null {
  if (sizes.length === 0) return null;
  const widths = sizes.map((s) => s.width).sort((a, b) => a - b);
  const heights = sizes.map((s) => s.height).sort((a, b) => a - b);
  const median = (v: number[]) => (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
  return {
    count: sizes.length,
    minWidth: widths[0],
    maxWidth: widths[widths.length - 1],
    medianWidth: median(widths),
    minHeight: heights[0],
    maxHeight: heights[heights.length - 1],
    medianHeight: median(heights),
  };
}

export function imbalance(perClass: Record<string, number>): { ratio: number; warning?: string } {
  const entries = Object.entries(perClass).filter(([, n]) => n > 0);
  if (entries.length < 2) return { ratio: 1 };
  const [maxName, max] = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
  const [minName, min] = entries.reduce((a, b) => (b[1] < a[1] ? b : a));
  const ratio = max / min;
  if (ratio < IMBALANCE_WARNING_RATIO) return { ratio };
  return {
    ratio,
    warning: `Class imbalance: '${maxName}' has ${max} training images but '${minName}' only ${min} (${ratio.toFixed(1)}x).`,
  };
}

export function skippedSummary(skipped: readonly SkippedFile[], considered: number): string {
  if (skipped.length === 0) return `All ${considered} image files are usable.`;
  const byReason = new Map<string, number>();
  for (const s of skipped) {
    const kind = s.reason.replace(/\s*\(.*$/, ''); // group 'truncated or corrupt (detail)' by kind
    byReason.set(kind, (byReason.get(kind) ?? 0) + 1);
  }
  const parts = [...byReason].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${n} ${reason}`);
  return `Skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} of ${considered + skipped.length}: ${parts.join('; ')}.`;
}

/** Human-readable multi-line rendering for the CLI. */
export function formatReport(report: DatasetReport): string {
  const lines: string[] = [];
  lines.push(`Classes (${report.classes.length}): ${report.classes.join(', ')}`);
  for (const [name, split] of Object.entries(report.splits)) {
    if (!split) continue;
    const counts = Object.entries(split.perClass).map(([c, n]) => `${c} ${n}`).join(', ');
    lines.push(`${name}: ${split.images} images (${counts}) from ${split.source.join(', ')}`);
  }
  const s = report.imageSize;
  if (s) {
    lines.push(
      `Image sizes: width ${s.minWidth}-${s.maxWidth} (median ${s.medianWidth}), height ${s.minHeight}-${s.maxHeight} (median ${s.medianHeight})`,
    );
  }
  const formats = Object.entries(report.formats).map(([f, n]) => `${f} ${n}`).join(', ');
  if (formats) lines.push(`Formats: ${formats}`);
  for (const skipped of report.skipped) lines.push(`skipped ${skipped.path}: ${skipped.reason}`);
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  lines.push(report.summary);
  return lines.join('\n');
}
