import { Rng } from '../math/rng';

/** An HWC, 3-channel uint8 image as augmentations see it. */
export interface PixelImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * A named, seeded training-time transform. Transforms keep the image size,
 * work on uint8 pixels before normalization, and draw all randomness from
 * the generator they are given (one per sample per epoch), so a seed fully
 * determines the result.
 */
export interface Augmentation {
  readonly name: string;
  /** True when the output is a permutation of the input bytes (lets cached standardization statistics be reused). */
  readonly preservesPixelSums?: boolean;
  apply(image: PixelImage, rng: Rng): PixelImage;
}

/**
 * JSON form of an augmentation pipeline (what the CLI parses and what is
 * logged with a run). Default: horizontal flip only - safe for almost any
 * photo dataset; the others are opt-in because their useful strength depends
 * on the data.
 */
export interface AugmentationOptions {
  /** Mirror left-right with probability 0.5. Default true. */
  flip?: boolean;
  /** Zero-pad by this many pixels per side, then crop back to size at a random offset. */
  padCrop?: number;
  /** Crop a random window whose side is this fraction (to 1) of the image, resize back. */
  scaleCrop?: number;
  /** Rotate by a random angle in [-degrees, +degrees]; corners repeat the edge pixels. */
  rotation?: number;
  /** Add a random brightness offset in [-b, +b] x 255. */
  brightness?: number;
  /** Scale contrast around the image mean by a factor in [1 - c, 1 + c]. */
  contrast?: number;
}

export const DEFAULT_AUGMENTATION: Readonly<AugmentationOptions> = Object.freeze({ flip: true });

/** Turns the JSON form into transforms, in a fixed order: geometry first, then colour. */
export function buildAugmentations(options: AugmentationOptions = DEFAULT_AUGMENTATION): Augmentation[] {
  const list: Augmentation[] = [];
  if (options.flip ?? true) list.push(horizontalFlip());
  if (options.padCrop) list.push(padAndRandomCrop(options.padCrop));
  if (options.scaleCrop !== undefined && options.scaleCrop < 1) list.push(randomScaleCrop(options.scaleCrop));
  if (options.rotation) list.push(randomRotation(options.rotation));
  if (options.brightness || options.contrast) {
    list.push(brightnessContrastJitter(options.brightness ?? 0, options.contrast ?? 0));
  }
  return list;
}

export function composeAugmentations(list: readonly Augmentation[]): Augmentation {
  return {
    name: list.map((a) => a.name).join('+') || 'identity',
    preservesPixelSums: list.every((a) => a.preservesPixelSums === true),
    apply: (image, rng) => list.reduce((img, a) => a.apply(img, rng), image),
  };
}

export function horizontalFlip(probability = 0.5): Augmentation {
  return {
    name: 'horizontal-flip',
    preservesPixelSums: true,
    apply(image, rng) {
      if (rng() >= probability) return image;
      const { data, width, height } = image;
      const out = new Uint8Array(data.length);
      for (let y = 0; y < height; y++) {
        const row = y * width * 3;
        for (let x = 0; x < width; x++) {
          const s = row + x * 3;
          const d = row + (width - 1 - x) * 3;
          out[d] = data[s];
          out[d + 1] = data[s + 1];
          out[d + 2] = data[s + 2];
        }
      }
      return { data: out, width, height };
    },
  };
}

/** Pad with zeros then take a random size-preserving crop: a random shift of up to `padding` pixels. */
export function padAndRandomCrop(padding: number): Augmentation {
  const p = Math.max(0, Math.floor(padding));
  return {
    name: `pad-crop(${p})`,
    apply(image, rng) {
      const dx = Math.floor(rng() * (2 * p + 1)) - p;
      const dy = Math.floor(rng() * (2 * p + 1)) - p;
      const { data, width, height } = image;
      const out = new Uint8Array(data.length);
      for (let y = 0; y < height; y++) {
        const sy = y + dy;
        if (sy < 0 || sy >= height) continue;
        const x0 = Math.max(0, -dx);
        const x1 = Math.min(width, width - dx);
        if (x1 > x0) out.set(data.subarray((sy * width + x0 + dx) * 3, (sy * width + x1 + dx) * 3), (y * width + x0) * 3);
      }
      return { data: out, width, height };
    },
  };
}

/** Random window covering `minScale`..1 of each side, resized back (bilinear). */
export function randomScaleCrop(minScale: number): Augmentation {
  const lo = Math.min(1, Math.max(0.05, minScale));
  return {
    name: `scale-crop(${lo})`,
    apply(image, rng) {
      const s = lo + (1 - lo) * rng();
      const cw = image.width * s;
      const ch = image.height * s;
      const x0 = (image.width - cw) * rng();
      const y0 = (image.height - ch) * rng();
      const sx = cw / image.width;
      const sy = ch / image.height;
      // Sample at pixel centres of the output mapped into the crop window.
      const columns = Float64Array.from({ length: image.width }, (_, x) => x0 + (x + 0.5) * sx - 0.5);
      const rows = Float64Array.from({ length: image.height }, (_, y) => y0 + (y + 0.5) * sy - 0.5);
      return resampleAxisAligned(image, columns, rows);
    },
  };
}

/** Rotation about the centre by a random angle in [-maxDegrees, maxDegrees] (bilinear, edge-clamped). */
export function randomRotation(maxDegrees: number): Augmentation {
  return {
    name: `rotation(${maxDegrees})`,
    apply(image, rng) {
      const angle = ((rng() * 2 - 1) * maxDegrees * Math.PI) / 180;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const cx = (image.width - 1) / 2;
      const cy = (image.height - 1) / 2;
      return resample(image, (x, y) => {
        const dx = x - cx;
        const dy = y - cy;
        return [cx + dx * cos + dy * sin, cy - dx * sin + dy * cos];
      });
    },
  };
}

/**
 * Brightness offset and contrast scaling, clamped to 0..255. Note: with the
 * default `standardize` normalization both are largely undone (each image is
 * re-centred and re-scaled); they matter for `unit` and `mean-std`.
 */
export function brightnessContrastJitter(brightness: number, contrast: number): Augmentation {
  return {
    name: `brightness-contrast(${brightness},${contrast})`,
    apply(image, rng) {
      const delta = (rng() * 2 - 1) * brightness * 255;
      const factor = 1 + (rng() * 2 - 1) * contrast;
      const { data } = image;
      let sum = 0;
      for (let i = 0; i < data.length; i++) sum += data[i];
      const mean = sum / data.length;
      const table = new Uint8Array(256);
      for (let v = 0; v < 256; v++) table[v] = clampByte((v - mean) * factor + mean + delta);
      const out = new Uint8Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = table[data[i]];
      return { data: out, width: image.width, height: image.height };
    },
  };
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/**
 * `resample` for maps whose source x depends only on the output column and y only on the row (scale
 * crops): the neighbours and weights are worked out once per column and row instead of per pixel,
 * ~5x faster. Augmentation runs on the main thread between training steps, so its time is training time.
 */
function resampleAxisAligned(image: PixelImage, columns: Float64Array, rows: Float64Array): PixelImage {
  const { data, width, height } = image;
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  const wxs = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const cx = Math.min(width - 1, Math.max(0, columns[x]));
    const x0 = Math.floor(cx);
    left[x] = x0 * 3;
    right[x] = Math.min(width - 1, x0 + 1) * 3;
    wxs[x] = cx - x0;
  }
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const cy = Math.min(height - 1, Math.max(0, rows[y]));
    const y0 = Math.floor(cy);
    const top = y0 * width * 3;
    const bottom = Math.min(height - 1, y0 + 1) * width * 3;
    for (let x = 0, o = y * width * 3; x < width; x++, o += 3) {
      blendPixel(data, out, o, top + left[x], top + right[x], bottom + left[x], bottom + right[x], wxs[x], cy - y0);
    }
  }
  return { data: out, width, height };
}

/** Inverse-mapped bilinear resampling with edge clamping; `source` maps output (x, y) to input coordinates. */
function resample(image: PixelImage, source: (x: number, y: number) => [number, number]): PixelImage {
  const { data, width, height } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [fx, fy] = source(x, y);
      const cx = Math.min(width - 1, Math.max(0, fx));
      const cy = Math.min(height - 1, Math.max(0, fy));
      const x0 = Math.floor(cx);
      const y0 = Math.floor(cy);
      const x1 = Math.min(width - 1, x0 + 1);
      const y1 = Math.min(height - 1, y0 + 1);
      const row0 = y0 * width;
      const row1 = y1 * width;
      blendPixel(data, out, (y * width + x) * 3, (row0 + x0) * 3, (row0 + x1) * 3, (row1 + x0) * 3, (row1 + x1) * 3, cx - x0, cy - y0);
    }
  }
  return { data: out, width, height };
}

/** Writes the bilinear blend of four neighbouring pixels (byte offsets of each, weights wx, wy toward the second) at `o`. */
function blendPixel(data: Uint8Array, out: Uint8Array, o: number, tl: number, tr: number, bl: number, br: number, wx: number, wy: number): void {
  for (let c = 0; c < 3; c++) {
    const top = data[tl + c] * (1 - wx) + data[tr + c] * wx;
    const bottom = data[bl + c] * (1 - wx) + data[br + c] * wx;
    // A convex combination of bytes never leaves 0..255, so rounding is floor(v + 0.5) (= Math.round).
    out[o + c] = Math.floor(top * (1 - wy) + bottom * wy + 0.5);
  }
}
