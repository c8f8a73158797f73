import { duration, percent } from '../format/numbers';
import type { MetricsRecord } from '../train/metrics-log';
import type { SavedRunConfig } from '../trained-network/run-folder';
import type { RunEvaluation } from './run-evaluation';
import { summarizeMetrics } from './run-metrics';
import { STYLESHEET } from './stylesheet';
import { escapeXml as esc } from './svg';
import type { TrainingCurves } from './training-curves';

export interface ReportHtmlParts {
  name: string;
  config: SavedRunConfig;
  classes: string[];
  records: MetricsRecord[];
  curves: TrainingCurves;
  evaluation: RunEvaluation | null;
  /** Why there is no evaluation, when there is none. */
  evaluationNote?: string;
  confusionSvg?: string;
  predictionsSvg?: string;
  mistakesSvg?: string;
}

/** The recipe and the regularizers a run used, where it used any. */
function extraFacts(c: ReportHtmlParts['config']): [string, string][] {
  const regularizers = [
    c.labelSmoothing ? `label smoothing ${c.labelSmoothing}` : '',
    c.weightDecay ? `weight decay ${c.weightDecay}` : '',
    c.mixup ? `mixup ${c.mixup}` : '',
    c.cutmix ? `CutMix ${c.cutmix}` : '',
    c.ema ? `EMA of the weights ${c.ema}` : '',
  ].filter(Boolean);
  return [
    ...(c.recipe ? [['recipe', c.recipe] as [string, string]] : []),
    ...(regularizers.length > 0 ? [['regularization', regularizers.join(', ')] as [string, string]] : []),
  ];
}

/** One HTML file with the charts inlined as SVG and the stylesheet inlined: it opens offline, anywhere. */
export function reportHtml(p: ReportHtmlParts): string {
  const summary = summarizeMetrics(p.records);
  const c = p.config;
  const facts: [string, string][] = [
    ['model', `${c.model} at ${c.size}×${c.size}`],
    ['classes', p.classes.join(', ')],
    ['steps', String(summary.steps)],
    ['training time', duration(summary.seconds)],
    ['optimizer', `${c.optimizer}, lr ${c.lr} (${c.schedule}${c.warmupSteps ? `, ${c.warmupSteps} warm-up steps` : ''}), batch ${c.batchSize}`],
    ...extraFacts(c),
    [
      'best validation accuracy',
      summary.bestValidationAccuracy === null ? '—' : `${percent(summary.bestValidationAccuracy)} (epoch ${summary.bestValidationEpoch})`,
    ],
    ['created', c.createdAt],
  ];
  const evaluation = p.evaluation
    ? `<h2>Evaluation</h2>
<p>${p.evaluation.images} pictures from the ${p.evaluation.source}: accuracy <strong>${percent(p.evaluation.accuracy)}</strong>, loss ${p.evaluation.loss.toFixed(4)}.</p>
<div class="figure card">${p.confusionSvg ?? ''}</div>
${perClassTable(p.evaluation)}
<h2>Sample predictions</h2>
<div class="figure card">${p.predictionsSvg ?? ''}</div>
<h2>Most confident mistakes</h2>
${p.mistakesSvg ? `<div class="figure card">${p.mistakesSvg}</div>` : '<p class="muted">No mistakes: every picture was classified correctly.</p>'}`
    : `<h2>Evaluation</h2><p class="muted">${esc(p.evaluationNote ?? 'No evaluation.')}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.name)}: imgclass report</title>
<style>${STYLESHEET}</style>
</head>
<body>
<main>
<h1>${esc(p.name)}</h1>
<p class="muted">imgclass training report</p>
<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
<h2>Training curves</h2>
<div class="charts">
<div class="card">${p.curves.loss}</div>
<div class="card">${p.curves.accuracy}</div>
<div class="card">${p.curves.lr}</div>
</div>
${evaluation}
</main>
</body>
</html>
`;
}

function perClassTable(e: RunEvaluation): string {
  const rows = e.perClass
    .map(
      (m) =>
        `<tr><td>${esc(m.className)}</td><td class="num">${percent(m.precision)}</td><td class="num">${percent(m.recall)}</td><td class="num">${percent(m.f1)}</td><td class="num">${m.support}</td></tr>`,
    )
    .join('');
  return `<h2>Per class</h2><table><thead><tr><th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">pictures</th></tr></thead><tbody>${rows}</tbody></table>`;
}
