#!/usr/bin/env node
// Builds the MPI addon when Open MPI's development files are installed, and
// otherwise says so and succeeds: `npm ci` must work for users without MPI,
// who only lose `--distributed` (which then names the packages to install).
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

function hasOpenMpi() {
  try {
    execFileSync('pkg-config', ['--exists', 'ompi-c'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (!hasOpenMpi()) {
  console.log('@imgclass/mpi: Open MPI is not installed (apt-get install openmpi-bin libopenmpi-dev), so the MPI addon is not built; imgclass works without it, except --distributed.');
  process.exit(0);
}

function nodeGyp() {
  // npm passes its own node-gyp to install scripts; `npm run build` finds the workspace's.
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  return require.resolve('node-gyp/bin/node-gyp.js');
}

const result = spawnSync(process.execPath, [nodeGyp(), 'configure', 'build', '--silent'], {
  cwd: path.join(__dirname, '..'),
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
