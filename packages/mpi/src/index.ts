// MPI collectives for Node.js through Open MPI. A process started by `mpirun`
// calls initMpi() once; every rank must then make the same collective calls in
// the same order (MPI's rule), each blocking until all ranks have reached it.
import * as path from 'node:path';

interface NativeMpi {
  init(): { rank: number; size: number };
  finalize(): void;
  version(): string;
  allreduceFloat32(buffer: Float32Array, average: boolean): void;
  broadcast(bytes: ArrayBufferView, root: number): void;
  gatherStrings(text: string, root: number): string[] | null;
  barrier(): void;
  abort(code: number): void;
}

/** The Debian packages that provide Open MPI (the launcher, the library and its headers). */
export const OPEN_MPI_PACKAGES = 'openmpi-bin libopenmpi-dev';

/** Thrown when the addon is not built or libmpi cannot start; the message is one sentence naming what to install. */
export class MpiUnavailableError extends Error {
  constructor(reason: string) {
    super(
      `Distributed runs need Open MPI: install it with \`apt-get install ${OPEN_MPI_PACKAGES}\`, then run \`npm rebuild @imgclass/mpi\` (${reason}).`,
    );
    this.name = 'MpiUnavailableError';
  }
}

export interface Communicator {
  readonly rank: number;
  readonly size: number;
  /** Open MPI's version line, e.g. "Open MPI v4.1.4, …". */
  readonly library: string;
  /** Sums `buffer` over all ranks in place; with 'average' divides by the number of ranks. */
  allreduce(buffer: Float32Array, op?: 'sum' | 'average'): void;
  /** Overwrites `bytes` on every rank with root's; all ranks pass views of the same byte length. */
  broadcast(bytes: ArrayBufferView, root?: number): void;
  /** Root's value (JSON-serializable) on every rank. */
  broadcastJson<T>(value: T, root?: number): T;
  /** Every rank's value (JSON-serializable) at root in rank order; null on the other ranks. */
  gather<T>(value: T, root?: number): T[] | null;
  barrier(): void;
  /** Ends every rank of the job with `code`: for a rank that cannot continue on its own. */
  abort(code: number): never;
  finalize(): void;
}

let addon: NativeMpi | undefined;
let world: Communicator | undefined;

function loadAddon(): NativeMpi {
  if (addon) return addon;
  const file = path.join(__dirname, '..', 'build', 'Release', 'imgclass_mpi.node');
  try {
    addon = require(file) as NativeMpi;
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    throw new MpiUnavailableError(/Cannot find module/.test(first) ? 'the MPI addon was not built' : first);
  }
  return addon;
}

/** Whether a launcher (mpirun, or Slurm's srun with PMIx/PMI) started this process as one rank of a job. */
export function launchedByMpi(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.OMPI_COMM_WORLD_RANK ?? env.PMIX_RANK ?? env.PMI_RANK) !== undefined;
}

/** The rank the launcher gave this process, readable before MPI starts; 0 when not launched by one. */
export function launcherRank(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.OMPI_COMM_WORLD_RANK ?? env.PMIX_RANK ?? env.PMI_RANK ?? 0);
}

/** This process's rank among those on its host (0 when unknown): the first on each host can build the host's caches. */
export function localRank(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.OMPI_COMM_WORLD_LOCAL_RANK ?? env.MPI_LOCALRANKID ?? env.SLURM_LOCALID ?? 0);
}

/** Starts MPI (MPI_Init_thread, once per process) and returns the world communicator. */
export function initMpi(): Communicator {
  if (world) return world;
  const mpi = loadAddon();
  let started: { rank: number; size: number };
  try {
    started = mpi.init();
  } catch (err) {
    throw new MpiUnavailableError((err as Error).message);
  }
  const { rank, size } = started;
  world = {
    rank,
    size,
    library: mpi.version(),
    allreduce: (buffer, op = 'sum') => mpi.allreduceFloat32(buffer, op === 'average'),
    broadcast: (bytes, root = 0) => mpi.broadcast(bytes, root),
    broadcastJson: <T>(value: T, root = 0): T => {
      const mine = Buffer.from(JSON.stringify(value) ?? 'null');
      const length = new Float64Array([mine.length]);
      mpi.broadcast(length, root);
      const bytes = rank === root ? mine : Buffer.alloc(length[0]);
      mpi.broadcast(bytes, root);
      return JSON.parse(bytes.toString('utf8')) as T;
    },
    gather: <T>(value: T, root = 0) => {
      const texts = mpi.gatherStrings(JSON.stringify(value) ?? 'null', root);
      return texts === null ? null : texts.map((t) => JSON.parse(t) as T);
    },
    barrier: () => mpi.barrier(),
    abort: (code: number): never => {
      mpi.abort(code);
      process.exit(code); // not reached: MPI_Abort ends the process
    },
    finalize: () => {
      mpi.finalize();
      world = undefined;
    },
  };
  return world;
}
