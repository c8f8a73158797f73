// What the commands call to take part in an MPI job.
import { DataParallel } from './data-parallel';
import { localRank } from '@imgclass/mpi';
import { joinWorld } from './world';

/** Joins the job and returns this rank's data-parallel helper. */
export function startDataParallel(): DataParallel {
  const world = joinWorld();
  return new DataParallel(world, localRank());
}
