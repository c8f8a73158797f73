import * as tf from '@tensorflow/tfjs-core';
import { Augmentation, AugmentationOptions, buildAugmentations, DEFAULT_AUGMENTATION } from './augment';
import { Batch, BatchIterator, BatchShard, DatasetSample, LabelFormat, LoaderStats } from './batch-iterator';
import { PreprocessingConfig } from './config';
import { DatasetError } from './errors';
import { PixelCache } from './pixel-cache';

export interface BatchOptions {
  /** Default 32. */
  batchSize?: number;
  /** Reshuffle every epoch with (seed, epoch). Default: true for the training split, false otherwise. */
  shuffle?: boolean;
  /** Default: the seed the dataset was loaded with. */
  seed?: number;
  /** Epoch number for the shuffle/augmentation seed. Default: counts up with each new iterator. */
  epoch?: number;
  /** Training split only. `true` = DEFAULT_AUGMENTATION (horizontal flip). Default false. */
  augment?: boolean | AugmentationOptions | readonly Augmentation[];
  /** Default 'index'. */
  labelFormat?: LabelFormat;
  /** Batches prepared ahead of the consumer. Default 2. */
  prefetch?: number;
  /** Drop a last, smaller batch. Default false. */
  dropRemainder?: boolean;
  /** Yield only this part of every batch (data-parallel training: one part per rank). Default: whole batches. */
  shard?: BatchShard;
  /**
   * Prepare batches (read, augment, normalize) in a worker thread, beside the training step.
   * Default true; only used with two or more cores and built-in augmentations.
   */
  prepareInWorker?: boolean;
}

/** What `model.fitDataset` / `evaluateDataset` accept: tfjs-layers only needs `iterator()` and `size` (batches per epoch). */
export interface TfDatasetLike {
  readonly size: number;
  iterator(): Promise<{ next(): Promise<IteratorResult<{ xs: tf.Tensor4D; ys: tf.Tensor }>> }>;
}

export type SplitName = 'train' | 'validation' | 'evaluation';

/** One split of images whose pixels are in the cache. */
export class ImageDataset {
  /** Cumulative over every iterator of this dataset. */
  readonly stats: LoaderStats = { waitMs: 0, batches: 0, images: 0 };
  private epochCounter = 0;

  constructor(
    readonly split: SplitName,
    readonly classes: readonly string[],
    readonly samples: readonly DatasetSample[],
    readonly preprocessing: PreprocessingConfig,
    private readonly cache: PixelCache,
    private readonly seed: number,
  ) {}

  /** Number of images. */
  get size(): number {
    return this.samples.length;
  }

  /** One epoch of batches: `for await (const { xs, ys } of ds.batches({ batchSize: 32 }))`. */
  batches(options: BatchOptions = {}): BatchIterator {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new DatasetError('INVALID_OPTION', `Batch size must be a positive integer, got ${batchSize}.`);
    }
    const labelFormat = options.labelFormat ?? 'index';
    if (labelFormat === 'binary' && this.classes.length !== 2) {
      throw new DatasetError('INVALID_OPTION', `Binary labels need exactly 2 classes, but there are ${this.classes.length}.`);
    }
    const augmentations = this.resolveAugmentations(options.augment ?? false);
    const fixedEpoch = options.epoch;
    return new BatchIterator(
      {
        samples: this.samples,
        cache: this.cache,
        preprocessing: this.preprocessing,
        numClasses: this.classes.length,
        batchSize,
        shuffle: options.shuffle ?? this.split === 'train',
        seed: options.seed ?? this.seed,
        augmentations,
        labelFormat,
        prefetch: Math.max(0, options.prefetch ?? 2),
        dropRemainder: options.dropRemainder ?? false,
        shard: options.shard,
        prepareInWorker: options.prepareInWorker ?? true,
      },
      () => fixedEpoch ?? this.epochCounter++,
      (waitMs, images) => {
        this.stats.waitMs += waitMs;
        this.stats.batches++;
        this.stats.images += images;
      },
    );
  }

  /**
   * Adapter for `model.fitDataset(train.asTfDataset(...), { epochs, validationData })`:
   * every `iterator()` is a new epoch; values are `{ xs, ys }`, which fitDataset disposes.
   * Use labelFormat 'onehot' with categoricalCrossentropy, 'binary' with binaryCrossentropy.
   */
  asTfDataset(options: BatchOptions = {}): TfDatasetLike {
    const probe = this.batches(options); // validates options now rather than inside fitDataset
    return {
      size: probe.batchCount,
      iterator: async () => {
        const epoch = this.batches(options);
        return {
          next: async () => {
            const result = await epoch.next();
            return result.done ? result : { done: false, value: { xs: result.value.xs, ys: result.value.ys } };
          },
        };
      },
    };
  }

  private resolveAugmentations(augment: NonNullable<BatchOptions['augment']>): readonly Augmentation[] {
    if (augment === false) return [];
    if (this.split !== 'train') {
      throw new DatasetError('INVALID_OPTION', 'Augmentation applies to the training split only.');
    }
    if (augment === true) return buildAugmentations(DEFAULT_AUGMENTATION);
    return Array.isArray(augment) ? (augment as readonly Augmentation[]) : buildAugmentations(augment as AugmentationOptions);
  }
}
