// Starting and ending this process's part in an MPI job, for the commands that take --distributed.
// Only the JavaScript of @imgclass/mpi loads here; its addon (and libmpi) load in joinWorld().
import { Communicator, initMpi, launchedByMpi } from '@imgclass/mpi';
import { ImgclassError } from '../errors';

let active: Communicator | undefined;

/** Distributed when asked with --distributed, or when started by a launcher. */
export function wantsDistributed(flag: unknown, env: NodeJS.ProcessEnv = process.env): boolean {
  return flag === true || launchedByMpi(env);
}

/**
 * Joins the MPI job this process was launched into. Open MPI missing (not
 * installed, or the addon not built) is one sentence naming the packages.
 */
export function joinWorld(): Communicator {
  if (active) return active;
  try {
    active = initMpi();
  } catch (err) {
    throw new ImgclassError('DISTRIBUTED', (err as Error).message);
  }
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
