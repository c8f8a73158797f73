// Worker thread that prepares training batches (read cached records, augment, normalize) while
// the main thread runs the training step; see batch-preparer.ts for the other side.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { augmentationsFromSpecs, AugmentationSpec } from './augment';
import { Normalization } from './config';
import { prepareBatchPixels } from './prepare-batch';

export interface BatchRequest {
  id: number;
  /** Shard files the records are in, and per sample (shard index, slot). */
  shardPaths: string[];
  shardIndex: Int32Array;
  slots: Int32Array;
  width: number;
  height: number;
  normalization: Normalization;
  sums: Float64Array;
  seeds: Uint32Array;
  augmentations: AugmentationSpec[];
}

export type BatchReply = { id: number; pixels: Float32Array } | { id: number; error: { code: string; message: string } };

const port = parentPort;
if (port) {
  port.on('message', (request: BatchRequest) => {
    try {
      const pixels = prepare(request);
      port.postMessage({ id: request.id, pixels } satisfies BatchReply, [pixels.buffer as ArrayBuffer]);
    } catch (err) {
      const { code, message } = err as { code?: string; message?: string };
      port.postMessage({ id: request.id, error: { code: code ?? 'CACHE_ERROR', message: message ?? String(err) } } satisfies BatchReply);
    }
  });
}

let recordsBuffer = new Uint8Array(0);

function prepare(request: BatchRequest): Float32Array {
  const { shardPaths, shardIndex, slots, width, height } = request;
  const record = width * height * 3;
  const count = slots.length;
  // Reused between batches (nothing keeps it): new pages cost a page fault each on first touch.
  if (recordsBuffer.length < count * record) recordsBuffer = new Uint8Array(count * record);
  const records = recordsBuffer.subarray(0, count * record);
  const fds = new Map<number, number>();
  try {
    for (let i = 0; i < count; i++) {
      const shard = shardIndex[i];
      let fd = fds.get(shard);
      if (fd === undefined) {
        try {
          fd = openSync(shardPaths[shard], 'r');
        } catch (err) {
          throw cacheError(`The cache shard '${shardPaths[shard]}' cannot be opened (${(err as NodeJS.ErrnoException).code}).`);
        }
        fds.set(shard, fd);
      }
      if (readSync(fd, records, i * record, record, slots[i] * record) !== record) {
        throw cacheError(`The cache shard '${shardPaths[shard]}' is truncated; delete the cache folder and run again.`);
      }
    }
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  return prepareBatchPixels({ ...request, records, count, augmentations: builtAugmentations(request.augmentations) });
}

/** The transforms of the last specs seen: an epoch asks for the same chain batch after batch. */
let built: { key: string; augmentations: ReturnType<typeof augmentationsFromSpecs> } | undefined;
function builtAugmentations(specs: AugmentationSpec[]) {
  const key = JSON.stringify(specs);
  if (built?.key !== key) built = { key, augmentations: augmentationsFromSpecs(specs) };
  return built.augmentations;
}

function cacheError(message: string): Error {
  return Object.assign(new Error(message), { code: 'CACHE_ERROR' });
}
