#!/usr/bin/env node
// The `imgclass` command. Everything it does is in the library; see cli/main.ts.
import { runCli } from './cli/main';
import { processOutput } from './cli/output';
import { EXIT_INTERRUPTED } from './cli/train-command';
import { rankOutput } from './cli/rank-output';
import { leaveWorld } from './distributed/world';

runCli(process.argv.slice(2), rankOutput(processOutput())).then((code) => {
  process.exitCode = code;
  // One rank of an MPI job: finalize, or abort the whole job after an error.
  leaveWorld(code, EXIT_INTERRUPTED);
});
