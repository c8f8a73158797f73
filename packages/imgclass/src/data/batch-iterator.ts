import * as tf from '@tensorflow/tfjs-core';
import { Augmentation, AugmentationSpec } from './augment';
import { batchWorker } from './batch-preparer';
import { PreprocessingConfig } from './config';
import { CacheEntry, PixelCache } from './pixel-cache';
import { prepareBatchPixels } from './prepare-batch';
import { createRng, deriveSeed, shuffleInPlace } from '../math/rng';

/** How labels are delivered: class indices (sparse losses), one-hot rows, or a 0/1 column for 2-class sigmoid models. */
export type LabelFormat = 'index' | 'onehot' | 'binary';

export interface Batch {
  /** float32 [batch, height, width, 3], normalized. The consumer disposes it. */
  xs: tf.Tensor4D;
  /** int32 [batch] for 'index', float32 [batch, classes] for 'onehot', float32 [batch, 1] for 'binary'. The consumer disposes it. */
  ys: tf.Tensor;
  labels: Int32Array;
  paths: string[];
}

/** Time the consumer spent blocked in next() waiting for data: ~0 when prefetch keeps up. */
export interface LoaderStats {
  waitMs: number;
  batches: number;
  images: number;
}

export interface DatasetSample {
  path: string;
  label: number;
  entry: CacheEntry;
}

/** Everything an iterator needs, fixed for one epoch. */
export interface EpochPlan {
  samples: readonly DatasetSample[];
  cache: PixelCache;
  preprocessing: PreprocessingConfig;
  numClasses: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  augmentations: readonly Augmentation[];
  labelFormat: LabelFormat;
  prefetch: number;
  dropRemainder: boolean;
  /** Prepare batches in the batch worker thread (when there are two cores and the transforms are built-in ones). */
  prepareInWorker: boolean;
  /** Data-parallel training: this process prepares only its part of every batch (see shardOf). */
  shard?: BatchShard;
}

/** Part `index` of `count` equal-as-possible consecutive slices of each batch. */
export interface BatchShard {
  index: number;
  count: number;
}

/** The slice of `items` that shard `index` of `count` takes: consecutive, sizes differing by at most one. */
export function shardOf<T>(items: readonly T[], shard: BatchShard): T[] {
  const start = Math.floor((shard.index * items.length) / shard.count);
  const end = Math.floor(((shard.index + 1) * items.length) / shard.count);
  return items.slice(start, end);
}

interface PreparedBatch {
  pixels: Float32Array;
  labels: Int32Array;
  paths: string[];
}

/**
 * One epoch of batches. Reads records from the pixel cache and normalizes
 * them `prefetch` batches ahead of the consumer; tensors are only created
 * when a batch is handed out, so abandoning the iterator leaks nothing.
 */
export class BatchIterator implements AsyncIterableIterator<Batch> {
  readonly stats: LoaderStats = { waitMs: 0, batches: 0, images: 0 };
  readonly batchCount: number;
  private order: number[] | undefined;
  private epoch = 0;
  private scheduled = 0;
  private readonly queue: Promise<PreparedBatch>[] = [];
  private finished = false;

  constructor(
    private readonly plan: EpochPlan,
    /** Called on first use, so creating an iterator (as fitDataset does once too often) costs nothing. */
    private readonly startEpoch: () => number,
    private readonly onBatch: (waitMs: number, images: number) => void = () => undefined,
  ) {
    const n = plan.samples.length;
    this.batchCount = plan.dropRemainder ? Math.floor(n / plan.batchSize) : Math.ceil(n / plan.batchSize);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Batch> {
    return this;
  }

  async next(): Promise<IteratorResult<Batch>> {
    const started = performance.now();
    if (!this.order) this.begin();
    this.fillQueue();
    const head = this.queue.shift();
    if (!head || this.finished) {
      this.finished = true;
      return { done: true, value: undefined };
    }
    let prepared: PreparedBatch;
    try {
      prepared = await head;
    } catch (err) {
      this.finished = true;
      this.queue.length = 0;
      throw err;
    }
    this.fillQueue();
    const waitMs = performance.now() - started;
    this.stats.waitMs += waitMs;
    this.stats.batches++;
    this.stats.images += prepared.labels.length;
    this.onBatch(waitMs, prepared.labels.length);
    return { done: false, value: this.toTensors(prepared) };
  }

  async return(): Promise<IteratorResult<Batch>> {
    this.finished = true;
    this.queue.length = 0;
    return { done: true, value: undefined };
  }

  private begin(): void {
    this.epoch = this.startEpoch();
    const order = this.plan.samples.map((_, i) => i);
    if (this.plan.shuffle) shuffleInPlace(order, createRng(deriveSeed(this.plan.seed, this.epoch)));
    this.order = order;
  }

  private fillQueue(): void {
    while (!this.finished && this.scheduled < this.batchCount && this.queue.length <= this.plan.prefetch) {
      const prepared = this.prepare(this.scheduled++);
      prepared.catch(() => undefined); // surfaced when the consumer reaches this batch
      this.queue.push(prepared);
    }
  }

  private async prepare(batchIndex: number): Promise<PreparedBatch> {
    const { samples, cache, preprocessing, batchSize, augmentations } = this.plan;
    const { width, height, normalization } = preprocessing;
    const order = this.order as number[];
    const batch = order.slice(batchIndex * batchSize, (batchIndex + 1) * batchSize);
    const indices = this.plan.shard ? shardOf(batch, this.plan.shard) : batch;
    const sums = new Float64Array(indices.length * 2);
    indices.forEach((s, i) => {
      sums[2 * i] = samples[s].entry.sum;
      sums[2 * i + 1] = samples[s].entry.sumSq;
    });
    // Each sample's generator comes from (seed, epoch, sample), whoever prepares the batch and whenever.
    const seeds = Uint32Array.from(indices, (s) => deriveSeed(this.plan.seed, this.epoch, s, 0xa5));
    const specs = augmentations.map((a) => a.spec);
    const worker = this.plan.prepareInWorker && specs.every((spec) => spec !== undefined) ? batchWorker() : undefined;
    let pixels: Float32Array;
    if (worker) {
      const shards = new Map<string, number>();
      const shardIndex = Int32Array.from(indices, (s) => {
        const shard = samples[s].entry.shard;
        if (!shards.has(shard)) shards.set(shard, shards.size);
        return shards.get(shard) as number;
      });
      pixels = await worker.prepare({
        shardPaths: [...shards.keys()].map((shard) => cache.shardPath(shard)),
        shardIndex,
        slots: Int32Array.from(indices, (s) => samples[s].entry.slot),
        width, height, normalization, sums, seeds,
        augmentations: specs as AugmentationSpec[],
      });
    } else {
      const record = cache.recordBytes;
      const records = new Uint8Array(indices.length * record);
      await Promise.all(indices.map((s, i) => cache.read(samples[s].entry, records, i * record)));
      pixels = prepareBatchPixels({ records, count: indices.length, width, height, normalization, sums, seeds, augmentations });
    }
    return {
      pixels,
      labels: Int32Array.from(indices, (s) => samples[s].label),
      paths: indices.map((s) => samples[s].path),
    };
  }

  private toTensors(batch: PreparedBatch): Batch {
    const { width, height } = this.plan.preprocessing;
    const n = batch.labels.length;
    const xs = tf.tensor4d(batch.pixels, [n, height, width, 3], 'float32');
    return { xs, ys: labelTensor(batch.labels, this.plan.labelFormat, this.plan.numClasses), labels: batch.labels, paths: batch.paths };
  }
}

export function labelTensor(labels: Int32Array, format: LabelFormat, numClasses: number): tf.Tensor {
  const n = labels.length;
  if (format === 'index') return tf.tensor1d(labels, 'int32');
  if (format === 'binary') return tf.tensor2d(Float32Array.from(labels), [n, 1], 'float32');
  const oneHot = new Float32Array(n * numClasses);
  labels.forEach((label, i) => (oneHot[i * numClasses + label] = 1));
  return tf.tensor2d(oneHot, [n, numClasses], 'float32');
}
