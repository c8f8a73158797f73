import sharp from 'sharp';
import { mapConcurrent } from '../data/concurrency';
import type { SamplePrediction } from './run-evaluation';
import { COLOURS, el, escapeXml, svgDocument, text } from './svg';

const THUMB = 112;
const CELL_W = 136;
const CELL_H = 172;
// Four columns keep the labels readable when the grid is scaled to a phone's width.
const COLUMNS = 4;

/**
 * Sample pictures with their true and predicted class, the network's
 * confidence, and a red frame on each mistake. The thumbnails are embedded as
 * JPEG data URIs so the SVG (and report.html) stands alone.
 */
export async function predictionGrid(
  samples: readonly SamplePrediction[],
  heading: { title: string; subtitle: string } = sampleHeading(samples),
): Promise<string> {
  const thumbs = await mapConcurrent([...samples], 4, (s) => thumbnail(s.path));
  const columns = Math.min(COLUMNS, Math.max(1, samples.length));
  const rows = Math.ceil(samples.length / columns);
  const width = columns * CELL_W + 16;
  const height = 44 + Math.max(1, rows) * CELL_H;
  const parts = [
    text(12, 22, heading.title, { 'font-size': 14, 'font-weight': 'bold', fill: COLOURS.ink }),
    text(12, 38, heading.subtitle, { fill: COLOURS.muted }),
  ];
  samples.forEach((s, i) => {
    const x = 12 + (i % columns) * CELL_W;
    const y = 48 + Math.floor(i / columns) * CELL_H;
    const colour = s.correct ? COLOURS.right : COLOURS.wrong;
    const image = thumbs[i]
      ? el('image', { x, y, width: THUMB, height: THUMB, href: thumbs[i], 'xlink:href': thumbs[i], preserveAspectRatio: 'xMidYMid slice' })
      : el('rect', { x, y, width: THUMB, height: THUMB, fill: COLOURS.grid });
    parts.push(
      el(
        'g',
        { class: s.correct ? 'sample right' : 'sample wrong' },
        el('title', {}, escapeXml(s.path)),
        image,
        el('rect', { x: x - 1, y: y - 1, width: THUMB + 2, height: THUMB + 2, fill: 'none', stroke: colour, 'stroke-width': s.correct ? 1 : 3 }),
        text(x, y + THUMB + 16, clip(`true: ${s.trueClass}`), { fill: COLOURS.ink, 'font-size': 11 }),
        text(x, y + THUMB + 31, clip(`said: ${s.predictedClass} ${(s.probability * 100).toFixed(0)}%`), { fill: colour, 'font-size': 11, 'font-weight': 'bold' }),
      ),
    );
  });
  return svgDocument(width, height, heading.title, parts.join(''));
}

function sampleHeading(samples: readonly SamplePrediction[]): { title: string; subtitle: string } {
  const mistakes = samples.filter((s) => !s.correct).length;
  return {
    title: 'Sample predictions',
    subtitle: mistakes > 0 ? `the ${mistakes} most confident mistakes first (red), then correct answers` : 'no mistakes among these pictures',
  };
}

/** The gallery of the most confident mistakes: what the network gets wrong, and how sure it was. */
export function mistakesGallery(mistakes: readonly SamplePrediction[], total: number): Promise<string> {
  const shown = mistakes.length < total ? `the ${mistakes.length} most confident of ${total}` : `all ${total}`;
  return predictionGrid(mistakes, { title: 'Most confident mistakes', subtitle: `${shown} wrong answers, surest first` });
}

function clip(label: string): string {
  return label.length > 21 ? `${label.slice(0, 20)}…` : label;
}

/** A small JPEG of the picture as a data URI; undefined when it cannot be read any more. */
async function thumbnail(file: string): Promise<string | undefined> {
  try {
    const jpeg = await sharp(file, { failOn: 'none', autoOrient: true })
      .resize(THUMB, THUMB, { fit: 'cover' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80 })
      .toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return undefined;
  }
}
