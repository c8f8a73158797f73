import { ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveRunConfig, TrainOptions } from '../trained-network/run-config';
import { HttpError } from './http-utils';
import { JobStates } from './run-store';
import { isRunName, resolveInside } from './safe-paths';
import type { WorkerMessage, WorkerStart } from './train-worker';

/** What the page's "start a run" form sends. */
export interface TrainRequest {
  name: string;
  /** Training folder, relative to the data root. */
  train: string;
  /** Test folder, relative to the data root; without it a fifth of the pictures is held out. */
  test?: string;
  model?: string;
  size?: number;
  epochs?: number;
  lr?: number;
  batchSize?: number;
  warmupSteps?: number;
  logEvery?: number;
}

/** Form fields arrive as JSON numbers or strings; empty means the default. */
function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new HttpError(400, `The ${name} must be a number, got '${String(value)}'.`);
  return n;
}

interface Job {
  child: ChildProcess;
  state: 'running' | 'failed';
  message?: string;
  exited: Promise<void>;
}

/**
 * Training runs started from the web page, each in a child process (a worker
 * thread would share the native backend's thread pool and the server's heap).
 * Emits ('message', runName, WorkerMessage) for the live pages.
 */
export class TrainingJobs extends EventEmitter implements JobStates {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly runsRoot: string,
    private readonly dataRoot: string,
    private readonly cacheDir?: string,
  ) {
    super();
  }

  state(name: string): 'running' | 'failed' | undefined {
    return this.jobs.get(name)?.state;
  }

  failure(name: string): string | undefined {
    return this.jobs.get(name)?.message;
  }

  /** Validates the request (400/409 with a sentence) and starts the child; returns the run name. */
  async start(request: TrainRequest): Promise<string> {
    const name = String(request.name ?? '').trim();
    if (!isRunName(name)) throw new HttpError(400, 'Name the run with letters, digits, dots, dashes or underscores.');
    const out = path.join(this.runsRoot, name);
    if (this.jobs.get(name)?.state === 'running' || (await stat(out).then(() => true, () => false))) {
      throw new HttpError(409, `A run named '${name}' already exists.`);
    }
    const folder = async (relative: string) =>
      resolveInside(this.dataRoot, relative).catch(() => {
        throw new HttpError(400, `There is no folder '${relative}' inside the data folder.`);
      });
    const options: TrainOptions & { out: string } = {
      train: await folder(String(request.train ?? '')),
      model: request.model === undefined ? undefined : String(request.model),
      size: optionalNumber(request.size, 'size'),
      epochs: optionalNumber(request.epochs, 'epochs'),
      lr: optionalNumber(request.lr, 'learning rate'),
      batchSize: optionalNumber(request.batchSize, 'batch size'),
      warmupSteps: optionalNumber(request.warmupSteps, 'warm-up'),
      logEvery: optionalNumber(request.logEvery, 'log every') ?? 10,
      out,
    };
    if (request.test) options.test = await folder(request.test);
    else options.validationSplit = 0.2;
    try {
      // The same checks `train` makes, so a bad option is a 400 here rather than a failed run later.
      options.seed = resolveRunConfig(options).seed;
    } catch (err) {
      throw new HttpError(400, err instanceof Error ? err.message : String(err));
    }
    this.spawn(name, { type: 'start', options, cacheDir: this.cacheDir });
    return name;
  }

  private spawn(name: string, start: WorkerStart): void {
    const ext = path.extname(__filename); // .ts when run from the sources through tsx, .js when built
    const child = fork(path.join(__dirname, `train-worker${ext}`), [], {
      execArgv: process.execArgv.filter((a) => !a.startsWith('--test') && !a.startsWith('--inspect')),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const job: Job = { child, state: 'running', exited: new Promise((resolve) => child.once('exit', () => resolve())) };
    this.jobs.set(name, job);
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'failed') {
        job.state = 'failed';
        job.message = message.message;
      }
      this.emit('message', name, message);
    });
    child.once('exit', (code, signal) => {
      if (job.state === 'running' && (code !== 0 || signal)) {
        job.state = 'failed';
        job.message ??= `the training process ended (${signal ?? `exit code ${code}`}) ${stderr.trim().split('\n').pop() ?? ''}`.trim();
        this.emit('message', name, { type: 'failed', message: job.message } satisfies WorkerMessage);
      }
      // A finished job's folder now speaks for itself (model/, report); a failed one stays known as failed.
      if (job.state === 'running') this.jobs.delete(name);
    });
    child.on('error', () => undefined);
    child.send(start);
  }

  /** Asks every running child to checkpoint and stop; kills those that take longer than `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.child.exitCode === null && j.child.signalCode === null);
    for (const j of running) j.child.kill('SIGTERM');
    await Promise.all(
      running.map((j) => {
        const timer = setTimeout(() => j.child.kill('SIGKILL'), graceMs);
        return j.exited.finally(() => clearTimeout(timer));
      }),
    );
  }
}
