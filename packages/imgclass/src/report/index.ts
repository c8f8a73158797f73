/**
 * Charts and reports of a run: loss/accuracy/learning-rate curves, the
 * confusion matrix and sample predictions as SVG + PNG, report.html, and
 * TensorBoard event files.
 *
 *   await writeRunReport('runs/cats');                        // runs/cats/plots/*.svg|png, runs/cats/report.html
 *   const tb = tensorBoardLogger(); await train(opts, { onEvent: tb.onEvent }); tb.close();
 */
export { CONFUSION_SVG, PLOTS_DIR, PREDICTIONS_SVG, REPORT_HTML, svgToPng, writeRunReport } from './write-run-report';
export type { RunReport, RunReportOptions } from './write-run-report';
export { evaluateRun, pickSamples } from './run-evaluation';
export type { RunEvaluation, RunEvaluationOptions, SamplePrediction } from './run-evaluation';
export { readMetricsRecords, summarizeMetrics } from './run-metrics';
export type { MetricsSummary } from './run-metrics';
export { trainingCurves } from './training-curves';
export type { TrainingCurves } from './training-curves';
export { lineChart } from './line-chart';
export { smooth } from '../math/smooth';
export type { LineChartSpec, Point, Series } from './line-chart';
export { confusionHeatmap } from './confusion-heatmap';
export { mistakesGallery, predictionGrid } from './prediction-grid';
export { tensorBoardLogger, TENSORBOARD_DIR, writeTensorBoardFromMetrics } from './tensorboard/training-logger';
export type { TensorBoardLogger } from './tensorboard/training-logger';
export { EventFileWriter } from './tensorboard/event-file-writer';
export { formatLr, lrFindChart } from './lr-find-chart';
