import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { mpirun, mpirunAvailable } from './mpi-launch';

const skip = mpirunAvailable() ? false : 'mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)';

test('allreduce, broadcast, gather and barrier across 3 ranks over TCP', { skip, timeout: 120_000 }, async () => {
  const script = path.join(__dirname, 'fixtures', 'collectives-rank.ts');
  const run = await mpirun(3, [process.execPath, '--import', 'tsx', script], { cwd: path.join(__dirname, '..') });
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l)).sort((a, b) => a.rank - b.rank);
  assert.equal(lines.length, 3);
  for (const r of lines) {
    assert.equal(r.size, 3);
    // (1 + 2 + 3) × (i + 0.5)
    assert.deepEqual(r.summed, [3, 9, 15, 21, 27]);
    // mean of 0, 2, 4 and of 10, 10, 10
    assert.deepEqual(r.averaged, [2, 10]);
    assert.equal(r.bigFirst, 6);
    assert.equal(r.bigLast, 6);
    assert.deepEqual(r.bytes, [7, 8, 9]);
    assert.deepEqual(r.config, { from: 2, text: 'héllo' });
  }
  assert.deepEqual(lines[0].gathered, [0, 1, 2].map((rank) => ({ rank, note: `rank ${rank} of 3` })));
  assert.equal(lines[1].gathered, null);
});
