export interface TableOptions {
  /** One letter per column: 'l' left, 'r' right. Default all left. */
  align?: string;
}

/**
 * Plain-text table with a header rule, sized to its widest cell; trailing
 * spaces trimmed so the output is stable to compare in tests.
 */
export function formatTable(header: string[], rows: string[][], options: TableOptions = {}): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => width(r[c] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c] - width(cell));
        return options.align?.[c] === 'r' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Display width: code points, so '×' and accented class names count as one column. */
function width(text: string): number {
  return [...text].length;
}
