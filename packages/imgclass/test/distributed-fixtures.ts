// Runs the imgclass CLI as one process or as N ranks under Open MPI's mpirun, over TCP on loopback
// (the transport between hosts), one oneDNN thread per process.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TwoHosts } from './distributed-hosts';
import { CLI } from './imgclass-fixtures';

const TSX = pathToFileURL(require.resolve('tsx')).href;
const MPI_ADDON = path.resolve(__dirname, '..', '..', 'mpi', 'build', 'Release', 'imgclass_mpi.node');

/** Why the distributed tests cannot run here, or false when they can. */
export function distributedSkipReason(): string | false {
  try {
    execFileSync('mpirun', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)';
  }
  try {
    readFileSync(MPI_ADDON);
  } catch {
    return 'the @imgclass/mpi addon is not built (npm rebuild @imgclass/mpi)';
  }
  return false;
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcess;
  done: Promise<Finished>;
}

/** `imgclass <args>` in one process (ranks undefined) or as `ranks` MPI ranks. */
export function startImgclass(args: string[], options: { cwd: string; ranks?: number; hosts?: TwoHosts }): Started {
  const node = [process.execPath, '--import', TSX, CLI, ...args];
  const { hosts } = options;
  // One rank per host over the veth pair, or all ranks on this host over loopback.
  const placement = hosts
    ? ['-H', hosts.addresses.map((a) => `${a}:1`).join(','), '--mca', 'plm_rsh_agent', hosts.agent, '--mca', 'btl_tcp_if_include', '10.151.0.0/24', '--mca', 'oob_tcp_if_include', '10.151.0.0/24', '-x', 'PATH']
    : ['--mca', 'btl_tcp_if_include', 'lo', '--mca', 'oob_tcp_if_include', 'lo'];
  const mpi = ['--allow-run-as-root', '--oversubscribe', '-np', String(options.ranks), '--mca', 'btl', 'self,tcp', ...placement, '-x', 'TFJS_ONEDNN_THREADS'];
  const launcher = hosts ? hosts.inFirst(['mpirun', ...mpi, ...node]) : ['mpirun', ...mpi, ...node];
  const [command, ...rest] = options.ranks === undefined ? node : launcher;
  const child = spawn(command, rest, { cwd: options.cwd, env: { ...process.env, TFJS_ONEDNN_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

export function imgclass(args: string[], options: { cwd: string; ranks?: number; hosts?: TwoHosts }): Promise<Finished> {
  return startImgclass(args, options).done;
}

/** The final weights of a run (model/weights.bin). */
export function runWeights(runDir: string): Float32Array {
  return new Float32Array(readFileSync(path.join(runDir, 'model', 'weights.bin')).buffer.slice(0));
}

/** max |a − b| / max |a|. */
export function relativeDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`${a.length} weights against ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
}

/** Process ids of the ranks mpirun started (its children, with OMPI_COMM_WORLD_RANK in their environment). */
export function rankPids(mpirunPid: number): Map<number, number> {
  const ranks = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number)) {
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== mpirunPid) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const rank = /(?:^|\0)OMPI_COMM_WORLD_RANK=(\d+)/.exec(env);
      if (rank) ranks.set(Number(rank[1]), pid);
    } catch {
      // exited meanwhile
    }
  }
  return ranks;
}

/** `imgclass <args>` in one process with a script loaded first (`node --require`). */
export function imgclassWithPreload(preload: string, args: string[], cwd: string): Promise<Finished> {
  const child = spawn(process.execPath, ['--require', preload, '--import', TSX, CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
