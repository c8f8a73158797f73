/**
 * The few SVG helpers the charts need. Hand-written rather than a charting
 * library: three chart kinds, all static, rendered the same way on the server
 * (for PNG through sharp/librsvg, for report.html, for the web app), so a
 * library built for the browser's DOM would add weight without saving code.
 */

export type Attributes = Record<string, string | number | undefined>;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** `<name a="1">children</name>`; undefined attributes are left out. Children are already-serialized markup. */
export function el(name: string, attributes: Attributes, ...children: string[]): string {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? fmt(v) : (v as string))}"`)
    .join('');
  return children.length === 0 ? `<${name}${attrs}/>` : `<${name}${attrs}>${children.join('')}</${name}>`;
}

export function text(x: number, y: number, content: string, attributes: Attributes = {}): string {
  return el('text', { x, y, ...attributes }, escapeXml(content));
}

/** Coordinates with at most two decimals keep the files small and diffable. */
export function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/**
 * A whole SVG document. The size is given by viewBox and width/height so that
 * librsvg renders it at that size and browsers scale it to the page width.
 * An accessible title doubles as the chart's name in tests and screen readers.
 */
export function svgDocument(width: number, height: number, title: string, body: string): string {
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      'xmlns:xlink': 'http://www.w3.org/1999/xlink',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-label': title,
      'font-family': FONT,
      'font-size': 12,
      class: 'chart',
    },
    el('title', {}, escapeXml(title)),
    el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }),
    body,
  );
}

/** Calm colours that stay distinguishable for the common colour-vision deficiencies (Okabe-Ito). */
export const COLOURS = {
  train: '#0072b2',
  validation: '#d55e00',
  lr: '#009e73',
  axis: '#4a5563',
  grid: '#e5e7eb',
  muted: '#6b7280',
  ink: '#1f2937',
  right: '#1b7f4b',
  wrong: '#b42318',
};
