// The native JPEG fast path (native/jpeg_decode.cc): plain JPEGs decoded with libjpeg-turbo's
// DCT scaling and a triangle-filter resize, one libuv thread per batch of files.
import { PreprocessingConfig } from './config';
import { nativeAddon } from './native';

/** A picture the fast path decoded: pixels at the target size, with their exact sums. */
export interface FastDecoded {
  data: Uint8Array;
  sourceWidth: number;
  sourceHeight: number;
  sum: number;
  sumSq: number;
}

/** The resize modes the fast path produces; the others always go through sharp. */
export function fastPathApplies(config: PreprocessingConfig): boolean {
  return config.resizeMode === 'stretch';
}

/**
 * Decodes files (or encoded buffers) that are plain JPEGs; `undefined` for each input it leaves to
 * sharp (other formats, CMYK, EXIF rotation, ICC profiles, libjpeg warnings, unreadable files, bombs).
 */
export async function decodeJpegs(
  inputs: string[] | Uint8Array[],
  config: PreprocessingConfig,
  maxInputPixels: number,
): Promise<(FastDecoded | undefined)[]> {
  const { width, height } = config;
  const record = width * height * 3;
  const { pixels, info } = await nativeAddon().decodeJpegs(inputs, width, height, maxInputPixels);
  return inputs.map((_, i) => {
    const [status, sourceWidth, sourceHeight, sum, sumSq] = info.subarray(i * 5, i * 5 + 5);
    if (status !== 0) return undefined;
    return { data: pixels.subarray(i * record, (i + 1) * record), sourceWidth, sourceHeight, sum, sumSq };
  });
}
