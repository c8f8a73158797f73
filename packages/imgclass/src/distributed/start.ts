// What the commands call to take part in an MPI job.
import type { Output } from '../cli/command';
import { DataParallel } from './data-parallel';
import { launchedByMpi, launcherRank, localRank } from '@imgclass/mpi';
import { joinWorld } from './world';

/** Joins the job and returns this rank's data-parallel helper. */
export function startDataParallel(): DataParallel {
  const world = joinWorld();
  return new DataParallel(world, localRank());
}

/**
 * Under a launcher, only rank 0 talks to the user: the other ranks would
 * repeat every line N times. Their errors still show, marked with the rank.
 */
export function rankOutput(output: Output, env: NodeJS.ProcessEnv = process.env): Output {
  const rank = launcherRank(env);
  if (!launchedByMpi(env) || rank === 0) return output;
  return {
    out: () => undefined,
    status: () => undefined,
    clearStatus: () => undefined,
    err: (text) => {
      if (/^(error|warning):/.test(text)) output.err(`rank ${rank}: ${text}`);
    },
  };
}
