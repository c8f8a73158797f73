import path from 'node:path';
import sharp from 'sharp';
import { DatasetError } from '../data/errors';
import { ImgclassError } from '../errors';
import { writeFileAtomic } from '../io/atomic-file';
import { makeDir } from '../io/make-dir';
import { readRunFolder } from '../trained-network/run-folder';
import { confusionHeatmap } from './confusion-heatmap';
import { mistakesGallery, predictionGrid } from './prediction-grid';
import { reportHtml } from './report-html';
import { evaluateRun, RunEvaluation } from './run-evaluation';
import { readMetricsRecords } from './run-metrics';
import { trainingCurves } from './training-curves';

export const REPORT_HTML = 'report.html';
/** SVG and PNG charts inside the run folder. */
export const PLOTS_DIR = 'plots';
export const CONFUSION_SVG = 'confusion.svg';
export const PREDICTIONS_SVG = 'predictions.svg';
export const MISTAKES_SVG = 'mistakes.svg';

export interface RunReportOptions {
  /** Where decoded pixels are cached. Default `.imgclass-cache` in the working directory. */
  cacheDir?: string;
  /** Pictures in the sample grid. Default 12. */
  samples?: number;
  /** Also render each chart as PNG. Default true. */
  png?: boolean;
}

export interface RunReport {
  /** The report.html written. */
  html: string;
  /** Every SVG and PNG written. */
  plots: string[];
  evaluation: RunEvaluation | null;
  /** Why the report has no confusion matrix or samples, when it has none. */
  evaluationNote?: string;
}

/**
 * Writes the charts of a run into `<run>/plots/` (loss, accuracy, learning
 * rate; with validation pictures also the confusion matrix, sample
 * predictions and the most confident mistakes), each as SVG and PNG, and `<run>/report.html` with all of them.
 */
export async function writeRunReport(runDir: string, options: RunReportOptions = {}): Promise<RunReport> {
  const { config, classes } = await readRunFolder(runDir);
  const records = await readMetricsRecords(runDir);
  const curves = trainingCurves(records);
  let evaluation: RunEvaluation | null = null;
  let evaluationNote: string | undefined;
  try {
    evaluation = await evaluateRun(runDir, config, { cacheDir: options.cacheDir, samples: options.samples });
    if (!evaluation) evaluationNote = 'The run has no validation pictures (no --test folder and no --val-split), so there is no confusion matrix.';
  } catch (err) {
    // A run without weights yet, or whose picture folders have moved, still gets its curves.
    if (!(err instanceof ImgclassError || err instanceof DatasetError)) throw err;
    evaluationNote = `No evaluation: ${err.message}`;
  }
  const charts: [string, string][] = [
    ['loss', curves.loss],
    ['accuracy', curves.accuracy],
    ['learning-rate', curves.lr],
  ];
  let confusionSvg: string | undefined;
  let predictionsSvg: string | undefined;
  let mistakesSvg: string | undefined;
  if (evaluation) {
    confusionSvg = confusionHeatmap(classes, evaluation.confusion);
    predictionsSvg = await predictionGrid(evaluation.samples);
    charts.push([path.basename(CONFUSION_SVG, '.svg'), confusionSvg], [path.basename(PREDICTIONS_SVG, '.svg'), predictionsSvg]);
    if (evaluation.mistakes.length > 0) {
      mistakesSvg = await mistakesGallery(evaluation.mistakes, evaluation.mistakeCount);
      charts.push([path.basename(MISTAKES_SVG, '.svg'), mistakesSvg]);
    }
  }
  const plotsDir = path.join(runDir, PLOTS_DIR);
  await makeDir(plotsDir);
  const plots: string[] = [];
  for (const [name, svg] of charts) {
    const svgFile = path.join(plotsDir, `${name}.svg`);
    await writeFileAtomic(svgFile, svg);
    plots.push(svgFile);
    if (options.png !== false) {
      const pngFile = path.join(plotsDir, `${name}.png`);
      await writeFileAtomic(pngFile, await svgToPng(svg));
      plots.push(pngFile);
    }
  }
  const html = path.join(runDir, REPORT_HTML);
  const name = path.basename(path.resolve(runDir));
  await writeFileAtomic(html, reportHtml({ name, config, classes, records, curves, evaluation, evaluationNote, confusionSvg, predictionsSvg, mistakesSvg }));
  return { html, plots, evaluation, evaluationNote };
}

/** PNG at twice the SVG's size, so it stays sharp on high-density screens and in slides. */
export function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
}
