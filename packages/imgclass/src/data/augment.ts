import { Rng, standardNormal } from '../math/rng';

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
  /**
   * For transforms that only move, mirror or rescale whole columns and rows: how they do it, so a
   * chain of them (and the normalization after) runs as one pass over the picture. 'gather' takes
   * each output column/row from one input column/row, 'blend' from two (bilinear).
   */
  readonly axisKind?: 'gather' | 'blend';
  /** The maps for one picture, drawing from `rng` exactly as `apply` does. */
  axisMaps?(width: number, height: number, rng: Rng): AxisMaps;
  /** How to build it again (built-in transforms): lets a worker thread run the same chain. */
  readonly spec?: AugmentationSpec;
  /**
   * Transforms that work on the normalized float picture (random erasing): batches run them after
   * the normalization, each picture with its own generator (see prepareBatchPixels); `apply` is
   * their form on uint8 pixels for one-off use.
   */
  applyNormalized?(pixels: Float32Array, offset: number, width: number, height: number, rng: Rng): void;
}

/** A built-in transform as data: its factory and arguments. */
export type AugmentationSpec =
  | ['horizontalFlip', number]
  | ['padAndRandomCrop', number]
  | ['randomScaleCrop', number]
  | ['randomRotation', number]
  | ['brightnessContrastJitter', number, number]
  | ['randomErasing', number];

/** The transforms of `specs`, built again (in a worker thread). */
export function augmentationsFromSpecs(specs: readonly AugmentationSpec[]): Augmentation[] {
  return specs.map((spec) => {
    switch (spec[0]) {
      case 'horizontalFlip': return horizontalFlip(spec[1]);
      case 'padAndRandomCrop': return padAndRandomCrop(spec[1]);
      case 'randomScaleCrop': return randomScaleCrop(spec[1]);
      case 'randomRotation': return randomRotation(spec[1]);
      case 'brightnessContrastJitter': return brightnessContrastJitter(spec[1], spec[2]);
      case 'randomErasing': return randomErasing(spec[1]);
    }
  });
}

/**
 * How one axis of an output picture reads its input: output index i blends input indices first[i]
 * and second[i] with weight[i] toward the second (-1: a zero, i.e. padding).
 */
export interface AxisMap {
  first: Int32Array;
  second: Int32Array;
  weight: Float64Array;
  blended: boolean;
}

export interface AxisMaps {
  columns: AxisMap;
  rows: AxisMap;
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
  /**
   * Random erasing with this probability per picture: one box of 2–33% of the area, aspect 0.3–3.3,
   * filled with N(0, 1) noise after normalization.
   */
  erase?: number;
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
  if (options.erase) list.push(randomErasing(options.erase));
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
  return axisAugmentation('horizontal-flip', ['horizontalFlip', probability], 'gather', true, (width, height, rng) => {
    const flip = rng() < probability;
    return { columns: flip ? mirrored(width) : identity(width), rows: identity(height) };
  });
}

/** Pad with zeros then take a random size-preserving crop: a random shift of up to `padding` pixels. */
export function padAndRandomCrop(padding: number): Augmentation {
  const p = Math.max(0, Math.floor(padding));
  const shifted = (size: number, d: number) => {
    if (d === 0) return identity(size);
    const key = `${size},${d}`;
    let map = shifts.get(key);
    if (!map) {
      const first = new Int32Array(size);
      for (let i = 0; i < size; i++) first[i] = i + d >= 0 && i + d < size ? i + d : -1;
      shifts.set(key, (map = gathered(first)));
    }
    return map;
  };
  return axisAugmentation(`pad-crop(${p})`, ['padAndRandomCrop', padding], 'gather', false, (width, height, rng) => {
    const dx = Math.floor(rng() * (2 * p + 1)) - p;
    const dy = Math.floor(rng() * (2 * p + 1)) - p;
    return { columns: shifted(width, dx), rows: shifted(height, dy) };
  });
}

/** Random window covering `minScale`..1 of each side, resized back (bilinear). */
export function randomScaleCrop(minScale: number): Augmentation {
  const lo = Math.min(1, Math.max(0.05, minScale));
  return axisAugmentation(`scale-crop(${lo})`, ['randomScaleCrop', minScale], 'blend', false, (width, height, rng) => {
    const s = lo + (1 - lo) * rng();
    const cw = width * s;
    const ch = height * s;
    const x0 = (width - cw) * rng();
    const y0 = (height - ch) * rng();
    // Sample at pixel centres of the output mapped into the crop window, clamped to the picture.
    return { columns: bilinear(width, x0, cw / width), rows: bilinear(height, y0, ch / height) };
  });
}

function axisAugmentation(
  name: string,
  spec: AugmentationSpec,
  axisKind: 'gather' | 'blend',
  preservesPixelSums: boolean,
  axisMaps: (width: number, height: number, rng: Rng) => AxisMaps,
): Augmentation {
  return {
    name,
    spec,
    preservesPixelSums,
    axisKind,
    axisMaps,
    apply(image, rng) {
      const maps = axisMaps(image.width, image.height, rng);
      if (isIdentity(maps.columns) && isIdentity(maps.rows)) return image; // e.g. a flip that did not fire
      const data = new Uint8Array(image.data.length);
      resampleAxes(image.data, image.width, maps, data);
      return { data, width: image.width, height: image.height };
    },
  };
}

function isIdentity(map: AxisMap): boolean {
  return !map.blended && map.first.every((v, i) => v === i);
}

// Maps are never modified once made, so the all-zero weights, the identities, mirrors and shifts
// are shared: typed-array allocations were most of the time of building a picture's maps.
const zeroWeights = new Map<number, Float64Array>();
const identities = new Map<number, AxisMap>();
const mirrors = new Map<number, AxisMap>();
const shifts = new Map<string, AxisMap>();

function gathered(first: Int32Array): AxisMap {
  let weight = zeroWeights.get(first.length);
  if (!weight) zeroWeights.set(first.length, (weight = new Float64Array(first.length)));
  return { first, second: first, weight, blended: false };
}

function identity(size: number): AxisMap {
  let map = identities.get(size);
  if (!map) {
    const first = new Int32Array(size);
    for (let i = 0; i < size; i++) first[i] = i;
    identities.set(size, (map = gathered(first)));
  }
  return map;
}

function mirrored(size: number): AxisMap {
  let map = mirrors.get(size);
  if (!map) {
    const first = new Int32Array(size);
    for (let i = 0; i < size; i++) first[i] = size - 1 - i;
    mirrors.set(size, (map = gathered(first)));
  }
  return map;
}

function bilinear(size: number, start: number, step: number): AxisMap {
  const first = new Int32Array(size);
  const second = new Int32Array(size);
  const weight = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const c = Math.min(size - 1, Math.max(0, start + (i + 0.5) * step - 0.5));
    const i0 = Math.floor(c);
    first[i] = i0;
    second[i] = Math.min(size - 1, i0 + 1);
    weight[i] = c - i0;
  }
  return { first, second, weight, blended: true };
}

/**
 * The maps of a whole chain for one picture, or undefined when the chain cannot run as one pass
 * (a transform without maps, or two blends: bilinear of bilinear needs more than two taps).
 * Draws from `rng` in the chain's order, as applying the transforms one by one does.
 */
export function chainAxisMaps(list: readonly Augmentation[], width: number, height: number, rng: Rng): AxisMaps | undefined {
  if (!canChainAxisMaps(list)) return undefined;
  let maps: AxisMaps | undefined;
  for (const a of list) {
    const step = (a.axisMaps as NonNullable<Augmentation['axisMaps']>)(width, height, rng);
    maps = maps ? { columns: composeAxis(step.columns, maps.columns), rows: composeAxis(step.rows, maps.rows) } : step;
  }
  return maps ?? { columns: identity(width), rows: identity(height) };
}

/** One axis of every picture of a batch, back to back (picture i at i * size): what the native pass reads. */
export interface BatchAxisMap {
  first: Int32Array;
  second: Int32Array;
  weight: Float64Array;
}

/**
 * chainAxisMaps for picture `index` of a batch, written straight into `columns` and `rows`: each
 * output index is followed back through the chain's maps (the composition chainAxisMaps builds
 * map by map, without its intermediate arrays). Draws from `rng` as chainAxisMaps does. For
 * chains canChainAxisMaps accepts.
 */
export function chainAxisMapsInto(
  list: readonly Augmentation[],
  width: number,
  height: number,
  rng: Rng,
  columns: BatchAxisMap,
  rows: BatchAxisMap,
  index: number,
): void {
  const steps = list.map((a) => (a.axisMaps as NonNullable<Augmentation['axisMaps']>)(width, height, rng));
  traceBack(steps.map((m) => m.columns), width, columns, index * width);
  traceBack(steps.map((m) => m.rows), height, rows, index * height);
}

/** The composition of `maps` (applied in order) written at `offset`, index by index, as composeAxis does it. */
function traceBack(maps: readonly AxisMap[], size: number, target: BatchAxisMap, offset: number): void {
  const last = maps.length - 1;
  for (let i = 0; i < size; i++) {
    let a = i;
    let b = i;
    let w = 0;
    let blended = false;
    if (last >= 0) {
      const m = maps[last];
      a = m.first[i];
      b = m.second[i];
      w = m.weight[i];
      blended = m.blended;
    }
    for (let j = last - 1; j >= 0; j--) {
      const before = maps[j];
      if (blended) {
        // `before` is a gather (at most one blend in a chain): its second equals its first.
        a = a < 0 ? -1 : before.first[a];
        b = b < 0 ? -1 : before.first[b];
      } else {
        const at = a;
        a = at < 0 ? -1 : before.first[at];
        b = at < 0 ? -1 : before.second[at];
        w = at < 0 ? 0 : before.weight[at];
        blended = before.blended;
      }
    }
    target.first[offset + i] = a;
    target.second[offset + i] = b;
    target.weight[offset + i] = w;
  }
}

export function canChainAxisMaps(list: readonly Augmentation[]): boolean {
  return list.every((a) => a.axisMaps && a.axisKind) && list.filter((a) => a.axisKind === 'blend').length <= 1;
}

/** `after` reads the output of `before`; the result reads the original input. */
function composeAxis(after: AxisMap, before: AxisMap): AxisMap {
  if (before === identities.get(before.first.length)) return after;
  if (after === identities.get(after.first.length)) return before;
  const n = after.first.length;
  const first = new Int32Array(n);
  const second = new Int32Array(n);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = after.first[i];
    const b = after.second[i];
    if (after.blended) {
      // `before` is a gather (at most one blend in a chain): its second equals its first.
      first[i] = a < 0 ? -1 : before.first[a];
      second[i] = b < 0 ? -1 : before.first[b];
      weight[i] = after.weight[i];
    } else {
      first[i] = a < 0 ? -1 : before.first[a];
      second[i] = a < 0 ? -1 : before.second[a];
      weight[i] = a < 0 ? 0 : before.weight[a];
    }
  }
  return { first, second, weight, blended: after.blended || before.blended };
}

/**
 * Writes `src` (HWC RGB, `width` wide) resampled through `maps` into `out` and returns the exact
 * byte sums (standardization needs them). Blends are separable: each input row's horizontal blend
 * is computed once, then pairs of them are blended vertically; the arithmetic per value is the
 * same as blending four neighbours at once (top = a(1-wx) + b wx, bottom likewise, then
 * floor(top(1-wy) + bottom wy + 0.5)), so the bytes are those of the per-pixel form.
 */
export function resampleAxes(src: Uint8Array, width: number, maps: AxisMaps, out: Uint8Array): { sum: number; sumSq: number } {
  const { columns, rows } = maps;
  const outWidth = columns.first.length;
  const outHeight = rows.first.length;
  const rowLen = outWidth * 3;
  let sum = 0;
  let sumSq = 0;
  if (!columns.blended && !rows.blended) {
    for (let y = 0, o = 0; y < outHeight; y++) {
      const r = rows.first[y];
      if (r < 0) {
        out.fill(0, o, o + rowLen);
        o += rowLen;
        continue;
      }
      const base = r * width * 3;
      let s = 0;
      let q = 0; // per row: 150 x 3 x 255^2 stays far inside int32
      for (let x = 0; x < outWidth; x++, o += 3) {
        const c = columns.first[x];
        if (c < 0) {
          out[o] = out[o + 1] = out[o + 2] = 0;
          continue;
        }
        const k = base + c * 3;
        const v0 = src[k];
        const v1 = src[k + 1];
        const v2 = src[k + 2];
        out[o] = v0;
        out[o + 1] = v1;
        out[o + 2] = v2;
        s += v0 + v1 + v2;
        q += v0 * v0 + v1 * v1 + v2 * v2;
      }
      sum += s;
      sumSq += q;
    }
    return { sum, sumSq };
  }
  const scratch = rowScratch(rowLen);
  const [zero, rowA, rowB] = scratch;
  let keyA = -2;
  let keyB = -2;
  const horizontal = (r: number, target: Float64Array) => {
    const base = r * width * 3;
    for (let x = 0, o = 0; x < outWidth; x++, o += 3) {
      const ca = columns.first[x];
      const cb = columns.second[x];
      const wx = columns.weight[x];
      const ka = base + ca * 3;
      const kb = base + cb * 3;
      for (let c = 0; c < 3; c++) {
        const a = ca < 0 ? 0 : src[ka + c];
        const b = cb < 0 ? 0 : src[kb + c];
        target[o + c] = a * (1 - wx) + b * wx;
      }
    }
  };
  // Two cached horizontal rows: consecutive output rows mostly read the same pair. A miss
  // overwrites the slot that does not hold `keep`, the other row the current output row needs.
  const rowOf = (r: number, keep: number): Float64Array => {
    if (r < 0) return zero;
    if (r === keyA) return rowA;
    if (r === keyB) return rowB;
    if (keyA === keep) {
      horizontal(r, rowB);
      keyB = r;
      return rowB;
    }
    horizontal(r, rowA);
    keyA = r;
    return rowA;
  };
  for (let y = 0, o = 0; y < outHeight; y++) {
    const ra = rows.first[y];
    const rb = rows.second[y];
    const wy = rows.weight[y];
    const top = rowOf(ra, rb);
    const bottom = rowOf(rb, ra);
    let s = 0;
    let q = 0;
    for (let k = 0; k < rowLen; k++, o++) {
      const v = Math.floor(top[k] * (1 - wy) + bottom[k] * wy + 0.5);
      out[o] = v;
      s += v;
      q += v * v;
    }
    sum += s;
    sumSq += q;
  }
  return { sum, sumSq };
}

let scratchRows: Float64Array[] = [];
/** Reused row buffers (zeros, and two cached horizontal blends). */
function rowScratch(rowLen: number): Float64Array[] {
  if (scratchRows.length === 0 || scratchRows[0].length !== rowLen) {
    scratchRows = [new Float64Array(rowLen), new Float64Array(rowLen), new Float64Array(rowLen)];
  }
  return scratchRows;
}

/** Rotation about the centre by a random angle in [-maxDegrees, maxDegrees] (bilinear, edge-clamped). */
export function randomRotation(maxDegrees: number): Augmentation {
  return {
    name: `rotation(${maxDegrees})`,
    spec: ['randomRotation', maxDegrees],
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
    spec: ['brightnessContrastJitter', brightness, contrast],
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

/** An axis-aligned box of a picture, in pixels. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Random erasing's box area as a share of the picture, and its aspect ratio (height / width): torchvision's defaults. */
export const ERASE_SCALE = [0.02, 0.33] as const;
export const ERASE_RATIO = [0.3, 3.3] as const;

/**
 * Whether random erasing fires for one picture and where: torchvision's RandomErasing.get_params.
 * With `probability`, up to 10 tries of an area share uniform in ERASE_SCALE and a log-uniform
 * aspect in ERASE_RATIO, the first box that fits inside the picture at a uniform position; null
 * when it does not fire or no try fits.
 */
export function eraseBox(width: number, height: number, probability: number, rng: Rng): PixelBox | null {
  if (!(rng() < probability)) return null;
  const [lo, hi] = ERASE_SCALE;
  const [logLo, logHi] = [Math.log(ERASE_RATIO[0]), Math.log(ERASE_RATIO[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = width * height * (lo + (hi - lo) * rng());
    const aspect = Math.exp(logLo + (logHi - logLo) * rng());
    const h = Math.round(Math.sqrt(area * aspect));
    const w = Math.round(Math.sqrt(area / aspect));
    if (!(h < height && w < width)) continue;
    const y = Math.floor(rng() * (height - h + 1));
    const x = Math.floor(rng() * (width - w + 1));
    return { x, y, width: w, height: h };
  }
  return null;
}

/**
 * Random erasing (Zhong et al., "Random Erasing Data Augmentation", 2017; torchvision's
 * RandomErasing with value='random'): with `probability`, one box of eraseBox is replaced by noise.
 * In training batches it runs after the normalization and the noise is N(0, 1), every channel of
 * every pixel drawn on its own: what torchvision does on a normalized tensor, and on the scale of
 * a standardized picture. On uint8 pictures (`apply`) the noise is uniform 0..255, as the paper's.
 */
export function randomErasing(probability: number): Augmentation {
  return {
    name: `erase(${probability})`,
    spec: ['randomErasing', probability],
    apply(image, rng) {
      const box = eraseBox(image.width, image.height, probability, rng);
      if (!box) return image;
      const data = Uint8Array.from(image.data);
      forEachBoxValue(box, image.width, (i) => (data[i] = Math.floor(rng() * 256)));
      return { data, width: image.width, height: image.height };
    },
    applyNormalized(pixels, offset, width, height, rng) {
      const box = eraseBox(width, height, probability, rng);
      if (box) forEachBoxValue(box, width, (i) => (pixels[offset + i] = standardNormal(rng)));
    },
  };
}

/** Calls `visit` with the index of every value (3 per pixel, HWC) inside `box`, row by row. */
function forEachBoxValue(box: PixelBox, width: number, visit: (index: number) => void): void {
  for (let y = box.y; y < box.y + box.height; y++) {
    const end = (y * width + box.x + box.width) * 3;
    for (let i = (y * width + box.x) * 3; i < end; i++) visit(i);
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
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
