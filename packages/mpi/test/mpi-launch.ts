// Runs a script as N ranks under Open MPI's mpirun over TCP on loopback (the path between hosts).
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';

export function mpirunAvailable(): boolean {
  try {
    execFileSync('mpirun', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Launched {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** `mpirun -np ranks node --import tsx <args>`, one oneDNN thread per rank. */
export function mpirun(ranks: number, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Launched> {
  const started = Date.now();
  const child = spawn(
    'mpirun',
    [
      '--allow-run-as-root', '--oversubscribe', '-np', String(ranks),
      '--mca', 'btl', 'self,tcp', '--mca', 'btl_tcp_if_include', 'lo', '--mca', 'oob_tcp_if_include', 'lo',
      '-x', 'TFJS_ONEDNN_THREADS=1',
      ...args,
    ],
    { cwd: options.cwd, env: { ...process.env, TFJS_ONEDNN_THREADS: '1', ...options.env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}
