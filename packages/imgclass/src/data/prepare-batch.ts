// Cached uint8 records -> normalized float32 batch, augmentation included. The same function runs
// on the main thread and in the batch worker (batch-worker.ts), so both give the same bytes.
import { Augmentation, chainAxisMaps, composeAugmentations, resampleAxes } from './augment';
import { Normalization } from './config';
import { normalizeInto } from './normalize';
import { createRng } from './rng';

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
  const { records, count, width, height, normalization, sums, seeds, augmentations } = input;
  const record = width * height * 3;
  const pixels = new Float32Array(count * record);
  const scratch = augmentations.length > 0 ? new Uint8Array(record) : undefined;
  const composed = augmentations.length > 0 ? composeAugmentations(augmentations) : undefined;
  for (let i = 0; i < count; i++) {
    const cached = records.subarray(i * record, (i + 1) * record);
    const cachedSums = { sum: sums[2 * i], sumSq: sums[2 * i + 1] };
    if (!composed || !scratch) {
      normalizeInto(cached, pixels, i * record, normalization, cachedSums);
      continue;
    }
    // Flips, shifts and scale crops as one pass that also counts the sums standardization needs.
    const maps = chainAxisMaps(augmentations, width, height, createRng(seeds[i]));
    if (maps) {
      const augmentedSums = resampleAxes(cached, width, maps, scratch);
      normalizeInto(scratch, pixels, i * record, normalization, augmentedSums);
      continue;
    }
    const image = composed.apply({ data: cached, width, height }, createRng(seeds[i])).data;
    normalizeInto(image, pixels, i * record, normalization, composed.preservesPixelSums ? cachedSums : undefined);
  }
  return pixels;
}
