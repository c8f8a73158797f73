import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONFUSION_SVG, PLOTS_DIR, PREDICTIONS_SVG, REPORT_HTML } from '../report/write-run-report';
import type { RunStatus } from './run-store';

/**
 * The run page's evaluation section: the confusion matrix and sample
 * predictions that the report wrote, inlined; or why they are not there yet.
 */
export async function evaluationFragment(runDir: string, name: string, status: RunStatus): Promise<string> {
  const read = (file: string) => readFile(path.join(runDir, PLOTS_DIR, file), 'utf8').catch(() => undefined);
  const confusion = await read(CONFUSION_SVG);
  const hasReport = await stat(path.join(runDir, REPORT_HTML)).then(() => true, () => false);
  const reportLink = hasReport ? `<p><a href="/runs/${encodeURIComponent(name)}/files/${REPORT_HTML}">The full report</a> (one file, opens offline)</p>` : '';
  if (confusion) {
    const samples = (await read(PREDICTIONS_SVG)) ?? '';
    return `<div class="card figure" id="confusion">${confusion}</div>${samples ? `<div class="card figure" id="samples">${samples}</div>` : ''}${reportLink}`;
  }
  if (status === 'failed') return '';
  if (status === 'training') return '<p class="muted">The confusion matrix appears here when training ends.</p>';
  if (hasReport) return `<p class="muted">This run has no validation pictures, so there is no confusion matrix.</p>${reportLink}`;
  return `<p class="muted">No report yet: run <code>imgclass report ${name.replace(/[<>&"']/g, '')}</code> to make one.</p>`;
}
