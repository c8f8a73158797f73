// The main thread's side of the batch worker: one worker thread per process, shared by every
// iterator, that prepares batches in request order. It does not keep the process alive.
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BatchReply, BatchRequest } from './batch-worker';
import { DatasetError, DatasetErrorCode } from './errors';

type Pending = { resolve: (pixels: Float32Array) => void; reject: (err: Error) => void };

class BatchWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(onGone: () => void) {
    this.worker = startWorker();
    this.worker.unref();
    this.worker.on('message', (reply: BatchReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (!waiting) return;
      if ('pixels' in reply) waiting.resolve(reply.pixels);
      else waiting.reject(new DatasetError(reply.error.code as DatasetErrorCode, reply.error.message));
    });
    const fail = (err: Error) => {
      onGone();
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`The batch worker stopped (exit code ${code}).`)));
  }

  prepare(request: Omit<BatchRequest, 'id'>): Promise<Float32Array> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Referenced while a batch is owed, so an awaited batch cannot be lost to an exiting loop.
      this.worker.ref();
      this.worker.postMessage({ ...request, id } satisfies BatchRequest);
    });
  }
}

/** Compiled: batch-worker.js next to this file. Under tsx (tests, benchmarks) the .ts file, with tsx registered in the worker too. */
function startWorker(): Worker {
  const file = path.join(__dirname, `batch-worker${path.extname(__filename)}`);
  if (file.endsWith('.js')) return new Worker(file);
  // Resolved here: the eval'd code would resolve from the working directory, which may be anywhere.
  const tsx = require.resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, { eval: true });
}

let shared: BatchWorker | undefined;

/** The process's batch worker, started on first use; undefined on a single core, where it cannot run beside training. */
export function batchWorker(): BatchWorker | undefined {
  if (os.availableParallelism() < 2) return undefined;
  shared ??= new BatchWorker(() => (shared = undefined));
  return shared;
}
