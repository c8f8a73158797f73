import { linearScale, extent, tickLabel } from './scale';
import { COLOURS, el, svgDocument, text } from './svg';

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  /** Legend entry; series with an empty label are drawn but not listed. */
  label: string;
  colour: string;
  points: Point[];
  /** 'faint': the raw values behind a smoothed line; 'dots': one marker per point (validation per epoch). */
  style: 'line' | 'faint' | 'dots';
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Values the y axis always spans (accuracy: 0 and 1). */
  yInclude?: number[];
  /** 'log': x values (all positive) on a logarithmic axis, ticks at powers of ten. Default 'linear'. */
  xScale?: 'linear' | 'log';
  /** Tick labels of the y axis, e.g. as percentages. */
  yTick?: (value: number, step: number) => string;
  width?: number;
  height?: number;
}

const MARGIN = { top: 34, right: 16, bottom: 46, left: 72 };

/** A line chart with axes, grid lines, axis titles with units and a legend. */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 480;
  const height = spec.height ?? 280;
  const plot = { x0: MARGIN.left, x1: width - MARGIN.right, y0: height - MARGIN.bottom, y1: MARGIN.top };
  const log = spec.xScale === 'log';
  const series = log ? spec.series.map((s) => ({ ...s, points: s.points.map((p) => ({ x: Math.log10(p.x), y: p.y })) })) : spec.series;
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y) && Number.isFinite(p.x));
  const x = linearScale(extent(all.map((p) => p.x), log ? [] : [0]), [plot.x0, plot.x1], 6);
  const xTick = log ? (t: number) => powerOfTenLabel(t) : tickLabel;
  const y = linearScale(extent(all.map((p) => p.y), spec.yInclude), [plot.y0, plot.y1], 5);
  const yTick = spec.yTick ?? tickLabel;
  const xStep = x.ticks[1] - x.ticks[0] || 1;
  const yStep = y.ticks[1] - y.ticks[0] || 1;
  const parts: string[] = [];
  for (const t of y.ticks) {
    parts.push(el('line', { x1: plot.x0, x2: plot.x1, y1: y(t), y2: y(t), stroke: COLOURS.grid }));
    parts.push(text(plot.x0 - 6, y(t) + 4, yTick(t, yStep), { 'text-anchor': 'end', fill: COLOURS.muted }));
  }
  for (const t of x.ticks) {
    parts.push(el('line', { x1: x(t), x2: x(t), y1: plot.y0, y2: plot.y0 + 4, stroke: COLOURS.axis }));
    parts.push(text(x(t), plot.y0 + 17, xTick(t, xStep), { 'text-anchor': 'middle', fill: COLOURS.muted }));
  }
  parts.push(el('line', { x1: plot.x0, x2: plot.x1, y1: plot.y0, y2: plot.y0, stroke: COLOURS.axis }));
  parts.push(el('line', { x1: plot.x0, x2: plot.x0, y1: plot.y0, y2: plot.y1, stroke: COLOURS.axis }));
  parts.push(text((plot.x0 + plot.x1) / 2, height - 8, spec.xLabel, { 'text-anchor': 'middle', fill: COLOURS.ink }));
  const yMid = (plot.y0 + plot.y1) / 2;
  parts.push(text(14, yMid, spec.yLabel, { 'text-anchor': 'middle', fill: COLOURS.ink, transform: `rotate(-90 14 ${yMid})` }));
  parts.push(text(12, 20, spec.title, { 'font-size': 14, 'font-weight': 'bold', fill: COLOURS.ink }));
  for (const s of series) parts.push(drawSeries(s, x, y));
  parts.push(legend(series.filter((s) => s.label !== ''), plot.x1));
  if (all.length === 0) {
    parts.push(text((plot.x0 + plot.x1) / 2, yMid, 'no data yet', { 'text-anchor': 'middle', fill: COLOURS.muted }));
  }
  return svgDocument(width, height, spec.title, parts.join(''));
}

/** The label of log10 tick t: 1e-3 for whole powers, else the value with two significant digits. */
function powerOfTenLabel(t: number): string {
  if (Math.abs(t - Math.round(t)) < 1e-9) return Math.round(t) === 0 ? '1' : `1e${Math.round(t)}`;
  return Number((10 ** t).toPrecision(2)).toExponential().replace('e+', 'e');
}

function drawSeries(s: Series, x: (v: number) => number, y: (v: number) => number): string {
  const points = s.points.filter((p) => Number.isFinite(p.y));
  if (points.length === 0) return '';
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)} ${y(p.y).toFixed(1)}`).join('');
  const cls = `series series-${s.style}`;
  if (s.style === 'dots') {
    const dots = points.map((p) => el('circle', { cx: x(p.x), cy: y(p.y), r: 3.5, fill: s.colour }));
    return el('g', { class: cls, 'data-series': s.label }, el('path', { d, fill: 'none', stroke: s.colour, 'stroke-width': 1.5 }), ...dots);
  }
  const faint = s.style === 'faint';
  return el('path', {
    class: cls,
    'data-series': s.label || undefined,
    d,
    fill: 'none',
    stroke: s.colour,
    'stroke-width': faint ? 1 : 2,
    'stroke-opacity': faint ? 0.3 : 1,
    'stroke-linejoin': 'round',
  });
}

function legend(series: Series[], right: number): string {
  let xPos = right;
  const items: string[] = [];
  for (const s of [...series].reverse()) {
    const w = 26 + s.label.length * 6.6;
    xPos -= w;
    const swatch =
      s.style === 'dots'
        ? el('circle', { cx: xPos + 8, cy: 16, r: 3.5, fill: s.colour })
        : el('line', { x1: xPos, x2: xPos + 16, y1: 16, y2: 16, stroke: s.colour, 'stroke-width': 2 });
    items.push(swatch, text(xPos + 20, 20, s.label, { fill: COLOURS.ink }));
    xPos -= 10;
  }
  return el('g', { class: 'legend' }, ...items);
}

/** Smoothing that suits the number of points: none for a handful, TensorBoard's 0.6 for many. */
export function smoothingFor(count: number): number {
  return count < 8 ? 0 : count < 50 ? 0.6 : 0.8;
}
