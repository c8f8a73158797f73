import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { confusionHeatmap } from '../src/report/confusion-heatmap';
import { lineChart } from '../src/report/line-chart';
import { smooth } from '../src/math/smooth';
import { pickSamples, SamplePrediction } from '../src/report/run-evaluation';
import { summarizeMetrics } from '../src/report/run-metrics';
import { linearScale, niceTicks, tickLabel } from '../src/report/scale';
import { escapeXml } from '../src/report/svg';
import { trainingCurves } from '../src/report/training-curves';
import { svgToPng } from '../src/report/write-run-report';
import type { MetricsRecord } from '../src/train/metrics-log';

function records(): MetricsRecord[] {
  const out: MetricsRecord[] = [];
  for (let step = 5; step <= 100; step += 5) {
    const loss = 2 * Math.exp(-step / 30) + 0.05 * Math.sin(step);
    out.push({ split: 'train', step, epoch: Math.ceil(step / 25), loss, accuracy: 1 - loss / 2.2, lr: 1e-3 * (1 - step / 200), imagesPerSecond: 100, seconds: step / 10 });
    if (step % 25 === 0) out.push({ split: 'validation', step, epoch: step / 25, loss: loss + 0.1, accuracy: 0.9 - 10 / step, lr: 1e-3, imagesPerSecond: null, seconds: step / 10 });
  }
  return out;
}

/** The numbers of an SVG path's M/L commands. */
function pathPoints(d: string): [number, number][] {
  return [...d.matchAll(/[ML]([\d.-]+) ([\d.-]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('chart scales', () => {
  it('puts ticks on round numbers covering the data', () => {
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 18, 6), [0, 5, 10, 15]);
    const s = linearScale([0.0002, 2.6], [300, 0], 5);
    assert.deepEqual(s.domain, [0, 3], 'widened to whole ticks, never below a non-negative minimum');
    assert.equal(s(0), 300);
    assert.equal(s(3), 0);
  });

  it('gives a flat series (a constant learning rate) an axis around its value', () => {
    const s = linearScale([1e-3, 1e-3], [100, 0]);
    assert.ok(s.domain[0] < 1e-3 && s.domain[1] > 1e-3);
    assert.ok(s(1e-3) > 0 && s(1e-3) < 100);
  });

  it('labels ticks briefly', () => {
    assert.equal(tickLabel(0.25, 0.05), '0.25');
    assert.equal(tickLabel(1500, 500), '1,500');
    assert.equal(tickLabel(1e-4, 1e-4), '1e-4');
    assert.equal(tickLabel(0.001, 2e-4), '1e-3', 'one notation per axis');
    assert.equal(tickLabel(0.0012, 2e-4), '1.2e-3');
    assert.equal(tickLabel(0, 1), '0');
  });

  it('smooths like TensorBoard: debiased, so a constant stays constant', () => {
    assert.deepEqual(smooth([3, 3, 3], 0.9).map((v) => Number(v.toFixed(12))), [3, 3, 3]);
    assert.deepEqual(smooth([1, 2, 3], 0), [1, 2, 3]);
    const s = smooth([0, 10], 0.5);
    assert.equal(s[0], 0);
    assert.ok(Math.abs(s[1] - 20 / 3) < 1e-12, 'second value = (0.5*0.5*0 + 0.5*10) / 0.75');
  });
});

describe('training curves', () => {
  const curves = trainingCurves(records());

  it('draws raw and smoothed training lines and one dot per validation pass', () => {
    for (const svg of [curves.loss, curves.accuracy]) {
      assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(svg, /class="series series-faint"/);
      const smoothed = /<path class="series series-line" data-series="training, smoothed 0.6" d="([^"]+)"/.exec(svg);
      assert.ok(smoothed, 'smoothed training line');
      assert.equal(pathPoints(smoothed[1]).length, 20);
      const validation = /<g class="series series-dots" data-series="validation, per epoch">(.*?)<\/g>/.exec(svg);
      assert.ok(validation, 'validation series');
      assert.equal((validation[1].match(/<circle/g) ?? []).length, 4);
    }
  });

  it('has axis titles with units and a legend', () => {
    assert.match(curves.loss, />training step</);
    assert.match(curves.loss, />cross-entropy \(nats\)</);
    assert.match(curves.accuracy, />accuracy \(%\)</);
    assert.match(curves.accuracy, />100</, 'accuracy ticks in percent up to 100');
    assert.match(curves.lr, />learning rate \(per step\)</);
    const legend = /<g class="legend">(.*?)<\/g>/.exec(curves.loss)?.[1] ?? '';
    assert.match(legend, />training, smoothed 0.6</);
    assert.match(legend, />validation, per epoch</);
  });

  it('plots the loss falling: the smoothed line ends lower (larger y) than it starts', () => {
    const d = /data-series="training, smoothed 0.6" d="([^"]+)"/.exec(curves.loss)?.[1] ?? '';
    const pts = pathPoints(d);
    assert.ok(pts[pts.length - 1][1] > pts[0][1] + 50, `y from ${pts[0][1]} to ${pts[pts.length - 1][1]}`);
    assert.ok(pts.every(([x, y]) => x >= 72 && x <= 464 && y >= 34 && y <= 234), 'inside the plot area');
  });

  it('says so when there is nothing yet', () => {
    assert.match(trainingCurves([]).loss, />no data yet</);
  });

  it('escapes text', () => {
    const svg = lineChart({ title: 'a<b & "c"', xLabel: 'x', yLabel: 'y', series: [] });
    assert.match(svg, /a&lt;b &amp; &quot;c&quot;/);
    assert.equal(escapeXml(`<'>`), '&lt;&#39;&gt;');
  });

  it('summarizes a history for the runs list', () => {
    const s = summarizeMetrics(records());
    assert.equal(s.steps, 100);
    assert.equal(s.bestValidationAccuracy, 0.8);
    assert.equal(s.bestValidationEpoch, 4);
    assert.equal(s.seconds, 10);
  });
});

describe('confusion heatmap', () => {
  it('has one cell per (true, predicted) pair, labelled with its count', () => {
    const classes = ['cat', 'dog', 'fox'];
    const svg = confusionHeatmap(classes, [
      [8, 1, 1],
      [0, 10, 0],
      [2, 0, 3],
    ]);
    const cells = [...svg.matchAll(/class="cell" data-true="(\w+)" data-predicted="(\w+)" data-count="(\d+)"/g)];
    assert.equal(cells.length, 9);
    assert.deepEqual(cells.slice(0, 3).map((c) => Number(c[3])), [8, 1, 1]);
    assert.match(svg, />25 pictures, 84.0% on the diagonal</);
    assert.match(svg, />true class</);
    assert.match(svg, />predicted class</);
    // Row-normalized shading: the full dog row is the darkest colour, an empty cell the lightest.
    assert.match(svg, /fill="rgb\(0,84,147\)" class="cell" data-true="dog" data-predicted="dog" data-count="10"/);
    assert.match(svg, /fill="rgb\(247,250,252\)" class="cell" data-true="dog" data-predicted="cat" data-count="0"/);
  });
});

describe('sample predictions', () => {
  it('puts the most confident mistakes first, then correct answers from every class', () => {
    const s = (path: string, trueClass: string, predictedClass: string, probability: number): SamplePrediction => ({
      path,
      trueClass,
      predictedClass,
      probability,
      correct: trueClass === predictedClass,
    });
    const all = [s('a', 'cat', 'dog', 0.6), s('b', 'cat', 'cat', 0.9), s('c', 'dog', 'cat', 0.95), s('d', 'cat', 'cat', 0.8), s('e', 'dog', 'dog', 0.7)];
    assert.deepEqual(pickSamples(all, ['cat', 'dog'], 4).map((x) => x.path), ['c', 'a', 'b', 'e']);
    assert.deepEqual(pickSamples(all, ['cat', 'dog'], 2).map((x) => x.path), ['c', 'b']);
  });
});

describe('PNG rendering', () => {
  it('renders a chart at twice its SVG size', async () => {
    const png = await svgToPng(trainingCurves(records()).loss);
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, 960);
    assert.equal(meta.height, 560);
    const stats = await sharp(png).stats();
    assert.ok(stats.channels[2].min < 200, 'something darker than the white background was drawn');
  });
});

describe('mistakes gallery', () => {
  it('shows the given mistakes in order, framed red, and says how many there were in all', async () => {
    const { mistakesGallery } = await import('../src/report/prediction-grid');
    const mistakes: SamplePrediction[] = [0.99, 0.9, 0.7].map((probability, i) => ({
      path: `/nowhere/picture-${i}.jpg`,
      trueClass: 'cat',
      predictedClass: 'dog',
      probability,
      correct: false,
    }));
    const svg = await mistakesGallery(mistakes, 40);
    assert.match(svg, /Most confident mistakes/);
    assert.match(svg, /the 3 most confident of 40 wrong answers, surest first/);
    const titles = [...svg.matchAll(/<title>([^<]+)<\/title>/g)].map((m) => m[1]).filter((t) => t.startsWith('/nowhere'));
    assert.deepEqual(titles, mistakes.map((m) => m.path));
    assert.deepEqual([...svg.matchAll(/said: dog (\d+)%/g)].map((m) => m[1]), ['99', '90', '70']);
    assert.equal((svg.match(/class="sample wrong"/g) ?? []).length, 3);
    assert.match(await mistakesGallery(mistakes, 3), /all 3 wrong answers/);
  });
});
