import { COLOURS, el, escapeXml, svgDocument, text } from './svg';

/**
 * The confusion matrix as a heatmap: rows are the true classes, columns the
 * predicted ones; a cell's shade is the share of its row (so a small class
 * reads as clearly as a large one) and it is labelled with its count.
 */
export function confusionHeatmap(classes: readonly string[], confusion: readonly (readonly number[])[]): string {
  const k = classes.length;
  const cell = k <= 6 ? 64 : k <= 12 ? 40 : k <= 30 ? 22 : 12;
  const labelChars = Math.min(18, Math.max(...classes.map((c) => c.length)));
  const labelWidth = Math.max(50, labelChars * 7 + 12);
  const left = 28 + labelWidth;
  const top = 52;
  const bottom = labelChars * 6.2 + 44;
  const legendWidth = 70;
  const total = confusion.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0);
  const correct = confusion.reduce((n, row, i) => n + (row[i] ?? 0), 0);
  const subtitle = `${total} pictures, ${total > 0 ? ((correct / total) * 100).toFixed(1) : '0'}% on the diagonal`;
  const width = Math.max(left + k * cell + legendWidth, 24 + subtitle.length * 7);
  const height = top + k * cell + bottom;
  const short = (name: string) => (name.length > 18 ? `${name.slice(0, 17)}…` : name);
  const parts: string[] = [
    text(12, 20, 'Confusion matrix', { 'font-size': 14, 'font-weight': 'bold', fill: COLOURS.ink }),
    text(12, 36, subtitle, { fill: COLOURS.muted }),
  ];
  confusion.forEach((row, i) => {
    const rowTotal = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      const share = rowTotal > 0 ? count / rowTotal : 0;
      const x = left + j * cell;
      const y = top + i * cell;
      parts.push(
        el(
          'rect',
          { x, y, width: cell - 1, height: cell - 1, fill: shade(share), class: 'cell', 'data-true': classes[i], 'data-predicted': classes[j], 'data-count': count },
          el('title', {}, escapeXml(`true ${classes[i]}, predicted ${classes[j]}: ${count} (${(share * 100).toFixed(1)}% of the row)`)),
        ),
      );
      if (cell >= 22) {
        parts.push(
          text(x + cell / 2, y + cell / 2 + 4, String(count), {
            'text-anchor': 'middle',
            'font-size': cell >= 40 ? 13 : 10,
            fill: share > 0.55 ? '#ffffff' : COLOURS.ink,
          }),
        );
      }
    });
    parts.push(text(left - 6, top + i * cell + cell / 2 + 4, short(classes[i]), { 'text-anchor': 'end', fill: COLOURS.ink }));
  });
  classes.forEach((name, j) => {
    const x = left + j * cell + cell / 2 + 4;
    const y = top + k * cell + 8;
    parts.push(text(x, y, short(name), { 'text-anchor': 'end', fill: COLOURS.ink, transform: `rotate(-60 ${x} ${y})` }));
  });
  const mid = top + (k * cell) / 2;
  parts.push(text(12, mid, 'true class', { 'text-anchor': 'middle', fill: COLOURS.muted, transform: `rotate(-90 12 ${mid})` }));
  parts.push(text(left + (k * cell) / 2, height - 8, 'predicted class', { 'text-anchor': 'middle', fill: COLOURS.muted }));
  parts.push(colourKey(left + k * cell + 16, top, Math.max(80, k * cell)));
  return svgDocument(width, height, 'Confusion matrix', parts.join(''));
}

/** White to the chart blue. */
function shade(share: number): string {
  const t = Math.max(0, Math.min(1, share));
  const mix = (from: number, to: number) => Math.round(from + (to - from) * t);
  const [r, g, b] = [mix(247, 0), mix(250, 84), mix(252, 147)];
  return `rgb(${r},${g},${b})`;
}

function colourKey(x: number, y: number, height: number): string {
  const steps = 10;
  const parts: string[] = [];
  for (let s = 0; s < steps; s++) {
    parts.push(el('rect', { x, y: y + (height * s) / steps, width: 12, height: height / steps + 0.5, fill: shade(1 - s / (steps - 1)) }));
  }
  parts.push(el('rect', { x, y, width: 12, height, fill: 'none', stroke: COLOURS.grid }));
  parts.push(text(x + 16, y + 9, '100%', { fill: COLOURS.muted, 'font-size': 10 }));
  parts.push(text(x + 16, y + height, '0%', { fill: COLOURS.muted, 'font-size': 10 }));
  parts.push(text(x + 16, y + height / 2 + 4, 'of row', { fill: COLOURS.muted, 'font-size': 10 }));
  return el('g', { class: 'colour-key' }, ...parts);
}
