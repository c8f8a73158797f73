// Starting and ending this process's part in an MPI job, for the commands that take --distributed.
import type { Communicator } from '@imgclass/mpi';
import { ImgclassError } from '../errors';

let active: Communicator | undefined;

/** Whether a launcher (mpirun, srun) started this process as one rank of a job. */
export function launchedByLauncher(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.OMPI_COMM_WORLD_SIZE ?? env.PMIX_RANK ?? env.PMI_RANK) !== undefined;
}

/** The rank the launcher gave this process (before MPI starts), 0 when not launched by one. */
export function launcherRank(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.OMPI_COMM_WORLD_RANK ?? env.PMIX_RANK ?? env.PMI_RANK ?? 0);
}

/** Distributed when asked with --distributed, or when started by a launcher. */
export function wantsDistributed(flag: unknown, env: NodeJS.ProcessEnv = process.env): boolean {
  return flag === true || launchedByLauncher(env);
}

/**
 * Joins the MPI job this process was launched into. Open MPI missing (not
 * installed, or the addon not built) is one sentence naming the packages.
 */
export function joinWorld(): Communicator {
  if (active) return active;
  let mpi: typeof import('@imgclass/mpi');
  try {
    mpi = require('@imgclass/mpi') as typeof import('@imgclass/mpi');
    active = mpi.initMpi();
  } catch (err) {
    throw new ImgclassError('DISTRIBUTED', (err as Error).message);
  }
  return active;
}

/** The communicator of this process's job, if it joined one. */
export function activeWorld(): Communicator | undefined {
  return active;
}

/**
 * Ends this rank's part: MPI_Finalize after success or an interruption
 * (every rank stopped at the same step); after an error, MPI_Abort, so the
 * other ranks, which would otherwise wait in a collective for ever, end too.
 */
export function leaveWorld(exitCode: number, interruptedCode: number): void {
  if (!active) return;
  const world = active;
  active = undefined;
  if (exitCode === 0 || exitCode === interruptedCode || world.size === 1) world.finalize();
  else world.abort(exitCode);
}
