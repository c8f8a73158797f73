// The flip, pad-crop and scale-crop of commit 7117ed6, verbatim, one transform at a time: the
// reference the fused single-pass augmentation (src/data/augment.ts) must match byte for byte.
import type { Augmentation, PixelImage } from '../src/data';

export function referenceFlip(probability = 0.5): Augmentation {
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

export function referencePadCrop(padding: number): Augmentation {
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

export function referenceScaleCrop(minScale: number): Augmentation {
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

/** Writes the bilinear blend of four neighbouring pixels (byte offsets of each, weights wx, wy toward the second) at `o`. */
function blendPixel(data: Uint8Array, out: Uint8Array, o: number, tl: number, tr: number, bl: number, br: number, wx: number, wy: number): void {
  for (let c = 0; c < 3; c++) {
    const top = data[tl + c] * (1 - wx) + data[tr + c] * wx;
    const bottom = data[bl + c] * (1 - wx) + data[br + c] * wx;
    // A convex combination of bytes never leaves 0..255, so rounding is floor(v + 0.5) (= Math.round).
    out[o + c] = Math.floor(top * (1 - wy) + bottom * wy + 0.5);
  }
}
