// Cached uint8 records -> normalized float32 batch, augmentation included. The same function runs
// on the main thread and in the batch worker (batch-worker.ts), so both give the same bytes.
import { Augmentation, BatchAxisMap, canChainAxisMaps, chainAxisMapsInto, composeAugmentations } from './augment';
import { Normalization } from './config';
import { nativeAddon } from './native';
import { normalizationTable, normalizeInto } from './normalize';
import { createRng, deriveSeed } from '../math/rng';

/**
 * The seed of a picture's generator for the transforms of its normalized pixels (random
 * erasing), derived from its augmentation seed: adding one leaves its crops and flips as they were.
 */
export function normalizedStageSeed(seed: number): number {
  return deriveSeed(seed, 0xe5);
}

export interface BatchPixelsInput {
  /** `count` cached records (width*height*3 bytes each), back to back. */
  records: Uint8Array;
  count: number;
  width: number;
  height: number;
  normalization: Normalization;
  /** Per sample: the cached sum and sum of squares of its bytes. */
  sums: Float64Array;
  /** Per sample: the seed of its augmentation generator (ignored without augmentations). */
  seeds: Uint32Array;
  augmentations: readonly Augmentation[];
}

export function prepareBatchPixels(input: BatchPixelsInput): Float32Array {
  const normalizedStage = input.augmentations.filter((a) => a.applyNormalized);
  if (normalizedStage.length === 0) return preparePixels(input);
  const pixels = preparePixels({ ...input, augmentations: input.augmentations.filter((a) => !a.applyNormalized) });
  const { count, width, height } = input;
  const record = width * height * 3;
  for (let i = 0; i < count; i++) {
    const rng = createRng(normalizedStageSeed(input.seeds[i]));
    for (const a of normalizedStage) a.applyNormalized?.(pixels, i * record, width, height, rng);
  }
  return pixels;
}

/** Read, augment (transforms of uint8 pixels) and normalize. */
function preparePixels(input: BatchPixelsInput): Float32Array {
  const { records, count, width, height, augmentations } = input;
  const record = width * height * 3;
  const pixels = new Float32Array(count * record);
  if (augmentations.length === 0) {
    normalizeRecords(input, records, input.sums, pixels);
    return pixels;
  }
  // Flips, shifts and scale crops: each picture's chain as one pair of axis maps, all pictures
  // resampled in one native pass that also counts the sums standardization needs.
  if (canChainAxisMaps(augmentations)) {
    const columns = batchAxisMap(count * width);
    const rows = batchAxisMap(count * height);
    for (let i = 0; i < count; i++) chainAxisMapsInto(augmentations, width, height, createRng(input.seeds[i]), columns, rows, i);
    const augmented = scratchBytes(count * record);
    const augmentedSums = new Float64Array(count * 2);
    nativeAddon().resampleRecords(records, count, width, height, columns.first, columns.second, columns.weight, rows.first, rows.second, rows.weight, augmented, augmentedSums);
    normalizeRecords(input, augmented, augmentedSums, pixels);
    return pixels;
  }
  // Rotations, colour jitter: one transform after another on each picture.
  const composed = composeAugmentations(augmentations);
  for (let i = 0; i < count; i++) {
    const cached = records.subarray(i * record, (i + 1) * record);
    const image = composed.apply({ data: cached, width, height }, createRng(input.seeds[i])).data;
    const sums = composed.preservesPixelSums ? { sum: input.sums[2 * i], sumSq: input.sums[2 * i + 1] } : undefined;
    normalizeInto(image, pixels, i * record, input.normalization, sums);
  }
  return pixels;
}

let scratch = new Uint8Array(0);
/**
 * A reused buffer for the augmented records: a fresh 2 MB one per batch costs ~500 page faults
 * (first touch of new pages), which on this machine's VM is more than the resampling itself.
 */
export function scratchBytes(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(size);
  return scratch.subarray(0, size);
}

/** normalizeInto for every record: one native lookup pass when the normalization is a single table per picture. */
function normalizeRecords(input: BatchPixelsInput, records: Uint8Array, sums: Float64Array, pixels: Float32Array): void {
  const { count, width, height, normalization } = input;
  const record = width * height * 3;
  const tables = new Float32Array(count * 256);
  for (let i = 0; i < count; i++) {
    const table = normalizationTable(normalization, record, { sum: sums[2 * i], sumSq: sums[2 * i + 1] });
    if (!table) {
      for (let k = 0; k < count; k++) {
        normalizeInto(records.subarray(k * record, (k + 1) * record), pixels, k * record, normalization, { sum: sums[2 * k], sumSq: sums[2 * k + 1] });
      }
      return;
    }
    tables.set(table, i * 256);
  }
  nativeAddon().applyTables(records, count, record, tables, pixels);
}

function batchAxisMap(length: number): BatchAxisMap {
  return { first: new Int32Array(length), second: new Int32Array(length), weight: new Float64Array(length) };
}
