import path from 'node:path';
import { percent } from '../format/numbers';
import { writeTensorBoardFromMetrics } from '../report/tensorboard/training-logger';
import { writeRunReport } from '../report/write-run-report';
import { CommandSpec, stringOpt } from './command';

export const reportCommand: CommandSpec = {
  name: 'report',
  summary: 'Charts of a run (curves, confusion matrix, sample predictions) as SVG, PNG and report.html',
  usage: ['report <run> [--tensorboard] [--no-png]'],
  description:
    'Writes <run>/plots/ (loss, accuracy, learning rate; with validation pictures also the confusion matrix and\n' +
    'the most confident mistakes) as SVG and PNG, and <run>/report.html with everything inlined (opens offline).\n' +
    '`train` writes the same at its end; use this for a run stopped early or trained before.',
  options: {
    tensorboard: { type: 'boolean', description: "Also write TensorBoard event files from metrics.jsonl into <run>/tensorboard/." },
    'no-png': { type: 'boolean', description: 'SVG only (faster).' },
    'cache-dir': { type: 'string', value: 'DIR', description: 'Decoded-pixel cache. Default .imgclass-cache.' },
  },
  examples: ['imgclass report runs/cats', 'imgclass report runs/cats --tensorboard && tensorboard --logdir runs/'],
  positionals: { min: 1, max: 1 },
  async run({ positionals: [runDir], values, out }) {
    out.status('evaluating and drawing…');
    const report = await writeRunReport(runDir, { cacheDir: stringOpt(values, 'cache-dir'), png: values['no-png'] !== true });
    out.clearStatus();
    if (report.evaluation) {
      out.out(`Accuracy ${percent(report.evaluation.accuracy)} on ${report.evaluation.images} pictures from the ${report.evaluation.source}.`);
    } else if (report.evaluationNote) {
      out.err(`note: ${report.evaluationNote}`);
    }
    out.out(`Charts: ${path.dirname(report.plots[0])}${path.sep} (${report.plots.length} files)`);
    out.out(`Report: ${report.html}`);
    if (values.tensorboard) out.out(`TensorBoard: ${await writeTensorBoardFromMetrics(runDir)}`);
    return 0;
  },
};
