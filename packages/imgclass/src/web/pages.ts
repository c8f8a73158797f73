import { duration, percent } from '../format/numbers';
import { MODELS } from '../models/registry';
import { DEFAULT_WARMUP_STEPS } from '../trained-network/run-config';
import { escapeXml as esc } from '../report/svg';
import type { TrainingCurves } from '../report/training-curves';
import type { RunInfo, RunStatus } from './run-store';

/** The frame of every page: one stylesheet, one script, a two-link navigation. */
export function layout(title: string, body: string, page: string, data: Record<string, string> = {}): string {
  const attrs = Object.entries(data)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · imgclass</title>
<link rel="stylesheet" href="/style.css">
<script src="/app.js" defer></script>
</head>
<body data-page="${page}"${attrs}>
<header><nav><a class="brand" href="/">imgclass</a><a href="/">Runs</a><a href="/predict">Predict</a></nav></header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The run page's badge has an id so live updates can change it; the list's badges do not. */
export function statusBadge(status: RunStatus, id?: string): string {
  return `<span class="badge ${status}"${id ? ` id="${id}"` : ''}>${status}</span>`;
}

export function runsPage(runs: RunInfo[], runsRoot: string, dataRoot: string): string {
  const rows = runs
    .map(
      (r) => `<tr data-run="${esc(r.name)}">
<td><a href="/runs/${encodeURIComponent(r.name)}">${esc(r.name)}</a></td>
<td>${statusBadge(r.status)}</td>
<td class="wide-only">${esc(r.config.model)} ${r.config.size}px</td>
<td class="num">${r.bestValidationAccuracy === null ? '—' : percent(r.bestValidationAccuracy)}</td>
<td class="num">${duration(r.seconds)}</td>
<td class="num wide-only">${r.steps}</td>
</tr>`,
    )
    .join('\n');
  const table = runs.length
    ? `<table id="runs"><thead><tr><th>run</th><th>status</th><th class="wide-only">model</th><th class="num">best accuracy</th><th class="num">duration</th><th class="num wide-only">steps</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<p class="muted" id="runs-empty">No runs yet in ${esc(runsRoot)}. Train one with <code>imgclass train</code> or below.</p>`;
  return layout(
    'Runs',
    `<h1>Runs</h1>
<p class="muted">${esc(runsRoot)}</p>
${table}
<h2>Start a training run</h2>
<p class="muted">Folders are relative to the data folder ${esc(dataRoot)}.</p>
${trainForm()}`,
    'runs',
  );
}

function trainForm(): string {
  const models = MODELS.map((m) => `<option value="${esc(m.name)}">${esc(m.name)}</option>`).join('');
  return `<form class="stack card" id="train-form">
<label>Run name <input name="name" required pattern="[A-Za-z0-9_][A-Za-z0-9._\\-]*" placeholder="cats-1"></label>
<label>Training folder (one sub-folder per class) <input name="train" required placeholder="data/train"></label>
<label>Test folder (optional; without it a fifth of the pictures is held out) <input name="test" placeholder="data/test"></label>
<label>Model <select name="model">${models}</select></label>
<label>Input size in pixels <input name="size" type="number" min="16" max="512" value="150"></label>
<label>Epochs <input name="epochs" type="number" min="1" value="10"></label>
<details><summary>More options</summary><div class="stack">
<label>Batch size <input name="batchSize" type="number" min="1" value="32"></label>
<label>Learning rate (empty: the model's default) <input name="lr" type="number" step="any" min="0"></label>
<label>Warm-up steps (the learning rate rises linearly over them) <input name="warmupSteps" type="number" min="0" value="${DEFAULT_WARMUP_STEPS}"></label>
<label>Log a point of the curves every N steps <input name="logEvery" type="number" min="1" value="10"></label>
</div></details>
<button type="submit">Start training</button>
<p class="error" id="train-error" role="alert"></p>
</form>`;
}

export interface RunPageParts {
  name: string;
  status: RunStatus;
  info: RunInfo | null;
  curves: TrainingCurves;
  evaluation: string;
  failure?: string;
}

export function runPage(p: RunPageParts): string {
  return layout(
    p.name,
    `<h1>${esc(p.name)} ${statusBadge(p.status, 'status')}</h1>
<div id="facts">${factsFragment(p.info, p.failure)}</div>
<div id="progress-box" hidden><progress id="progress" max="1" value="0"></progress><p class="muted" id="progress-text"></p></div>
<h2>Training curves</h2>
<div class="charts" id="curves">${curvesFragment(p.curves)}</div>
<h2>Evaluation</h2>
<div id="evaluation">${p.evaluation}</div>`,
    'run',
    { run: p.name },
  );
}

export function curvesFragment(c: TrainingCurves): string {
  return `<div class="card" id="chart-loss">${c.loss}</div><div class="card" id="chart-accuracy">${c.accuracy}</div><div class="card" id="chart-lr">${c.lr}</div>`;
}

export function factsFragment(info: RunInfo | null, failure?: string): string {
  if (!info && failure) return `<p class="error">Training failed: ${esc(failure)}</p>`;
  if (!info) return '<p class="muted">Reading the pictures; the run folder appears when training starts.</p>';
  const c = info.config;
  const facts: [string, string][] = [
    ['model', `${c.model} at ${c.size}×${c.size}`],
    ['classes', info.classes.join(', ')],
    ['steps', String(info.steps)],
    ['training time', duration(info.seconds)],
    ['best validation accuracy', info.bestValidationAccuracy === null ? '—' : percent(info.bestValidationAccuracy)],
  ];
  const dl = `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
  const predict = info.canPredict ? `<p><a href="/predict?run=${encodeURIComponent(info.name)}">Try it on a picture</a></p>` : '';
  return `${dl}${failure ? `<p class="error">Training failed: ${esc(failure)}</p>` : ''}${predict}`;
}

export function predictPage(runs: RunInfo[], selected: string | undefined): string {
  const usable = runs.filter((r) => r.canPredict);
  const options = usable
    .map((r) => `<option value="${esc(r.name)}"${r.name === selected ? ' selected' : ''}>${esc(r.name)} (${esc(r.classes.join(', '))})</option>`)
    .join('');
  const form = usable.length
    ? `<form class="stack" id="predict-form">
<label>Run <select name="run" id="run">${options}</select></label>
<div class="drop" id="drop"><p>Drop a picture here, or</p><input type="file" id="file" accept="image/*"></div>
<p class="error" id="predict-error" role="alert"></p>
</form>
<div class="result" id="result" hidden>
<figure><img id="input" alt="the picture as the network saw it"><figcaption class="muted" id="input-caption"></figcaption></figure>
<div><h2>Top classes</h2><ul class="bars" id="top"></ul></div>
</div>`
    : '<p class="muted">No run has a trained model yet.</p>';
  return layout('Predict', `<h1>Predict</h1>\n${form}`, 'predict', { 'max-upload': String(MAX_UPLOAD_BYTES) });
}

export function errorPage(status: number, message: string): string {
  const title = status === 404 ? 'Not found' : status >= 500 ? 'Server error' : 'Cannot do that';
  return layout(title, `<h1>${title}</h1><p>${esc(message)}</p><p><a href="/">All runs</a></p>`, 'none');
}

/** Uploads above this are refused with 413 (the page says so before sending too). */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
