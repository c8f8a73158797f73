import { launchedByMpi, launcherRank } from '@imgclass/mpi';
import type { Output } from './command';

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
