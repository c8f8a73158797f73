#!/usr/bin/env node
// The `imgclass` command. Everything it does is in the library; see cli/main.ts.
import { runCli } from './cli/main';
import { processOutput } from './cli/output';

runCli(process.argv.slice(2), processOutput()).then((code) => {
  process.exitCode = code;
});
