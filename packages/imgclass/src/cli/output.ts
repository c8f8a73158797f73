import type { Output } from './command';

/** Writes to the process streams; the status line is drawn only on a terminal. */
export function processOutput(): Output {
  let statusShown = false;
  const tty = Boolean(process.stderr.isTTY);
  const clearStatus = () => {
    if (statusShown) process.stderr.write('\r\x1b[2K');
    statusShown = false;
  };
  return {
    out: (text) => {
      clearStatus();
      process.stdout.write(`${text}\n`);
    },
    err: (text) => {
      clearStatus();
      process.stderr.write(`${text}\n`);
    },
    status: (text) => {
      if (!tty) return;
      const width = process.stderr.columns ?? 100;
      process.stderr.write(`\r\x1b[2K${text.slice(0, width - 1)}`);
      statusShown = true;
    },
    clearStatus,
  };
}

/** `[#####.....]` of the given width. */
export function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
