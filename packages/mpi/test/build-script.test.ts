import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

test('without Open MPI the install script builds nothing, says what to install, and succeeds', () => {
  // An empty PATH hides pkg-config, as on a machine without libopenmpi-dev.
  const script = path.join(__dirname, '..', 'scripts', 'build-native.js');
  const result = spawnSync(process.execPath, [script], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^@imgclass\/mpi: Open MPI is not installed \(apt-get install openmpi-bin libopenmpi-dev\), so the MPI addon is not built;/);
});
