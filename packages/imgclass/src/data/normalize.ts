import { Normalization } from './config';

/**
 * uint8 HWC pixels -> float32, per image. Every output value depends only on
 * the input byte (and, for mean-std, its channel), so each image is converted
 * through a 256-entry lookup table: one pass for the statistics, one table
 * lookup per value. That is what makes cached epochs cheap.
 */
export function normalizeInto(
  pixels: Uint8Array,
  out: Float32Array,
  outOffset: number,
  normalization: Normalization,
): void {
  if (normalization.kind === 'mean-std') {
    const tables = normalization.mean.map((m, c) => {
      const t = new Float32Array(256);
      for (let v = 0; v < 256; v++) t[v] = (v / 255 - m) / normalization.std[c];
      return t;
    });
    const [r, g, b] = tables;
    for (let i = 0; i < pixels.length; i += 3) {
      out[outOffset + i] = r[pixels[i]];
      out[outOffset + i + 1] = g[pixels[i + 1]];
      out[outOffset + i + 2] = b[pixels[i + 2]];
    }
    return;
  }
  const table = normalization.kind === 'unit' ? UNIT_TABLE : standardizationTable(pixels);
  for (let i = 0; i < pixels.length; i++) out[outOffset + i] = table[pixels[i]];
}

const UNIT_TABLE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Mean and adjusted standard deviation exactly as TF's per_image_standardization defines them. */
export function standardizationStats(pixels: Uint8Array): { mean: number; adjustedStd: number } {
  const n = pixels.length;
  // Integer sums are exact in a double for any realistic image, so the only
  // rounding left is TF's own float32 casts below.
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const v = pixels[i];
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / n;
  const variance = Math.max(0, sumSq / n - mean * mean); // population variance
  const std = Math.fround(Math.sqrt(variance));
  const minStd = Math.fround(1 / Math.sqrt(n)); // guards uniform images against division by zero
  return { mean: Math.fround(mean), adjustedStd: Math.max(std, minStd) };
}

function standardizationTable(pixels: Uint8Array): Float32Array {
  const { mean, adjustedStd } = standardizationStats(pixels);
  const table = new Float32Array(256);
  // float32 subtract then float32 divide, as TF does: (x - mean) / max(std, 1/sqrt(N)).
  for (let v = 0; v < 256; v++) table[v] = Math.fround(v - mean) / adjustedStd;
  return table;
}

/** Convenience for a single image (prediction, tests). */
export function normalizeImage(pixels: Uint8Array, normalization: Normalization): Float32Array {
  const out = new Float32Array(pixels.length);
  normalizeInto(pixels, out, 0, normalization);
  return out;
}
