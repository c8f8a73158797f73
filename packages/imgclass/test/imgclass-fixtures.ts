// Shared by the imgclass tests (models, train, cli...): tiny generated picture folders and a CLI runner.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateDemoSet, DemoSet } from '../src/demo/generate-demo-set';

export const CLI = path.resolve(__dirname, '..', 'src', 'cli.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;

/** A temporary folder removed when the test process exits. */
export function tempDir(prefix = 'imgclass-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** 24 + 8 pictures per class (dots, stripes) at 40×40: enough to train a few steps at size 16-32. */
export async function tinyPictureSet(dir = tempDir()): Promise<DemoSet & { root: string }> {
  const set = await generateDemoSet({ dir, trainPerClass: 24, testPerClass: 8, size: 40, seed: 11 });
  return { ...set, root: dir };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ReturnType<typeof spawn>;
  /** Resolves when stdout has printed text matching the pattern. */
  waitForOutput(pattern: RegExp): Promise<string>;
  done: Promise<CliResult>;
}

/** Starts `imgclass <args>` from the TypeScript sources (no build needed). */
export function startCli(args: string[], cwd: string): CliRun {
  // tsx by absolute URL: `--import tsx` would be resolved from the (temporary) working directory.
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (s: string) => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of [...waiters]) {
      const m = w.pattern.exec(stdout);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    done,
    waitForOutput: (pattern) =>
      new Promise((resolve, reject) => {
        const m = pattern.exec(stdout);
        if (m) return resolve(m[0]);
        waiters.push({ pattern, resolve });
        void done.then((r) => reject(new Error(`CLI exited (${r.code}) before printing ${pattern}:\n${r.stdout}\n${r.stderr}`)));
      }),
  };
}

export function runCli(args: string[], cwd: string): Promise<CliResult> {
  return startCli(args, cwd).done;
}

/** Largest absolute difference between two float32 buffers of the same length. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** An Output that records what a command prints, for running the CLI in-process. */
export function captureOutput(): { out(text: string): void; err(text: string): void; status(): void; clearStatus(): void; stdout: () => string; stderr: () => string } {
  const o: string[] = [];
  const e: string[] = [];
  return {
    out: (t) => o.push(t),
    err: (t) => e.push(t),
    status: () => undefined,
    clearStatus: () => undefined,
    stdout: () => o.join('\n'),
    stderr: () => e.join('\n'),
  };
}
