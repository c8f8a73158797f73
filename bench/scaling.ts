// Data-parallel scaling on one machine: 1 process × 2 threads against 2 MPI processes × 1 thread,
// for LeNet-5 (150×150) and resnet18-half (128×128), global batch 32, random pictures, Adam.
// One JSON line per configuration (images/s; for 2 processes the allreduce time per step inside
// training, which includes waiting for the slower rank, and the bare allreduce with its bus bandwidth).
//   node --import tsx bench/scaling.ts [--steps 20]
// Needs openmpi-bin + libopenmpi-dev and a quiet machine (other processes on the CPU distort both sides).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const stepsAt = args.indexOf('--steps');
const steps = stepsAt >= 0 ? args[stepsAt + 1] : '20';
const worker = path.join(__dirname, 'scaling-worker.ts');
const tsx = pathToFileURL(require.resolve('tsx')).href;

const configurations = [
  { model: 'lenet5', size: '150' },
  { model: 'resnet18-half', size: '128' },
];
for (const { model, size } of configurations) {
  const node = [process.execPath, '--import', tsx, worker, '--model', model, '--size', size, '--batch', '32', '--steps', steps];
  const runs: [string, string[], string][] = [
    [node[0], node.slice(1), '2'],
    ['mpirun', ['--allow-run-as-root', '--oversubscribe', '--bind-to', 'none', '-np', '2', '--mca', 'btl', 'self,tcp', '-x', 'TFJS_ONEDNN_THREADS', ...node], '1'],
  ];
  for (const [command, commandArgs, threads] of runs) {
    const result = spawnSync(command, commandArgs, { env: { ...process.env, TFJS_ONEDNN_THREADS: threads }, encoding: 'utf8' });
    if (result.status !== 0) {
      console.error(`${command} failed (${result.status}): ${result.stderr}`);
      process.exit(1);
    }
    process.stdout.write(result.stdout);
  }
}
