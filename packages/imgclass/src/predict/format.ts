import { formatTable } from '../format/table';
import { percent } from '../format/numbers';
import type { Prediction } from './predict';

/** `cat 97.3%` — the seed's test script output — or, with top > 1, `cat 97.3%, dog 2.7%`. */
export function formatSingle(p: Prediction): string {
  return p.top.map((t) => `${t.className} ${percent(t.probability)}`).join(', ');
}

export function formatPredictionTable(predictions: Prediction[]): string {
  const top = Math.max(1, ...predictions.map((p) => p.top.length));
  const header = top === 1 ? ['Picture', 'Class', 'Probability'] : ['Picture', ...Array.from({ length: top }, (_, i) => `#${i + 1}`)];
  const rows = predictions.map((p) => {
    if (p.error) return [p.path, `skipped: ${p.error}`, ...Array(top > 1 ? top - 1 : 1).fill('')];
    return top === 1
      ? [p.path, p.top[0].className, percent(p.top[0].probability)]
      : [p.path, ...p.top.map((t) => `${t.className} ${percent(t.probability)}`)];
  });
  return formatTable(header, rows);
}

/** path,rank,class,probability — one line per reported class, so any `--top` fits one schema. */
export function formatPredictionCsv(predictions: Prediction[]): string {
  const lines = ['path,rank,class,probability,error'];
  for (const p of predictions) {
    if (p.error) lines.push(`${csvCell(p.path)},,,,${csvCell(p.error)}`);
    p.top.forEach((t, i) => lines.push(`${csvCell(p.path)},${i + 1},${csvCell(t.className)},${t.probability.toFixed(6)},`));
  }
  return lines.join('\n');
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
