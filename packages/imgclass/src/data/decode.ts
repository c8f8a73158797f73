import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { PreprocessingConfig, PreprocessingOptions, resolvePreprocessing } from './config';
import { DatasetError, ImageDecodeError } from './errors';
import { readJpegHeader } from './jpeg-header';
import { decodeJpegs, fastPathApplies } from './native-jpeg';

/** A decoded picture: 8-bit sRGB, 3 channels, HWC order, already at the target size. */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
  /** Size of the source after EXIF orientation, before resizing. */
  sourceWidth: number;
  sourceHeight: number;
  /** Container format as libvips reports it (jpeg, png, webp, gif, tiff, heif...). */
  format: string;
}

export interface DecodeOptions {
  /** Reject images whose declared width*height exceeds this (decompression bombs). */
  maxInputPixels?: number;
}

/** Large enough for any real photograph, small enough to stop a 100k x 100k bomb. */
export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;

// Transparent areas become white: a fixed choice so training and prediction agree.
const ALPHA_BACKGROUND = { r: 255, g: 255, b: 255 };
// Padding is zero, as in TF's resize_with_pad / resize_image_with_crop_or_pad.
const PAD_COLOUR = { r: 0, g: 0, b: 0, alpha: 1 };

// The sharp pixel cache only helps when the same file is processed repeatedly;
// for a one-pass decode it just holds memory.
sharp.cache(false);

/**
 * Decodes a file (or an in-memory encoded image) and brings it to the target
 * shape. Throws DatasetError('IMAGE_UNREADABLE') with the reason when the
 * input is not a usable image.
 */
export async function decodeImage(
  input: string | Uint8Array,
  preprocessing: PreprocessingOptions | PreprocessingConfig = {},
  options: DecodeOptions = {},
): Promise<DecodedImage> {
  const config = resolvePreprocessing(preprocessing);
  const file = typeof input === 'string' ? input : undefined;
  const unreadable = (reason: string) => new ImageDecodeError(reason, file);
  const bytes = typeof input === 'string' ? await readImageFile(input, unreadable) : input;
  if (bytes.length === 0) throw unreadable('empty file (0 bytes)');
  const limitInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  if (fastPathApplies(config)) {
    // Plain JPEGs take the same native path as the first pass, so prediction sees the pixels training saw.
    const [fast] = await decodeJpegs([bytes], config, limitInputPixels);
    if (fast) return { data: fast.data, width: config.width, height: config.height, channels: 3, sourceWidth: fast.sourceWidth, sourceHeight: fast.sourceHeight, format: 'jpeg' };
  }
  // One encoded buffer serves both the header read and the decode, so the disk is read once.
  const open = () => sharp(bytes, { failOn: 'error', limitInputPixels, autoOrient: true, pages: 1 });
  try {
    const { sourceWidth, sourceHeight, format } = await sourceInfo(bytes, open);
    if (sourceWidth * sourceHeight > limitInputPixels) {
      throw unreadable(`declared size ${sourceWidth}x${sourceHeight} exceeds the pixel limit of ${limitInputPixels} (possible decompression bomb)`);
    }
    if (config.resizeMode === 'crop-or-pad') {
      const full = await toSrgbRaw(open());
      const data = cropOrPad(full.data, full.info.width, full.info.height, config.width, config.height);
      return { data, width: config.width, height: config.height, channels: 3, sourceWidth, sourceHeight, format };
    }
    const fit = { stretch: 'fill', cover: 'cover', contain: 'contain' } as const;
    // Resizing straight from the input lets libvips use JPEG shrink-on-load
    // (decode at 1/2, 1/4, 1/8 scale) which is most of the speed. A linear kernel is
    // TensorFlow's default (bilinear, as the seed resizes) and cheaper than lanczos3.
    const resized = open().resize(config.width, config.height, {
      fit: fit[config.resizeMode],
      kernel: 'linear',
      position: 'centre',
      background: PAD_COLOUR,
    });
    const { data, info } = await toSrgbRaw(resized);
    if (info.width !== config.width || info.height !== config.height || info.channels !== 3) {
      throw unreadable(`decoder produced ${info.width}x${info.height}x${info.channels} pixels`);
    }
    return { data, width: config.width, height: config.height, channels: 3, sourceWidth, sourceHeight, format };
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw unreadable(describeSharpError(err));
  }
}

/** Size after EXIF orientation and format: from the JPEG header when it is plain, else from sharp. */
async function sourceInfo(bytes: Uint8Array, open: () => sharp.Sharp) {
  const jpeg = readJpegHeader(bytes);
  if (jpeg) return { sourceWidth: jpeg.width, sourceHeight: jpeg.height, format: 'jpeg' };
  const meta = await open().metadata();
  return {
    sourceWidth: meta.autoOrient?.width ?? meta.width ?? 0,
    sourceHeight: meta.autoOrient?.height ?? meta.height ?? 0,
    format: meta.format ?? 'unknown',
  };
}

function toSrgbRaw(pipeline: sharp.Sharp) {
  // flatten (alpha onto white) + sRGB + uchar covers grey, CMYK, 16-bit and alpha inputs.
  return pipeline
    .flatten({ background: ALPHA_BACKGROUND })
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
}

/**
 * Centre crop or zero pad to (outW, outH) without scaling; offsets follow
 * TF's resize_image_with_crop_or_pad: crop offset = (in - out) // 2,
 * pad offset = (out - in) // 2.
 */
export function cropOrPad(src: Uint8Array, inW: number, inH: number, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH * 3);
  const cropX = Math.max(0, Math.floor((inW - outW) / 2));
  const cropY = Math.max(0, Math.floor((inH - outH) / 2));
  const padX = Math.max(0, Math.floor((outW - inW) / 2));
  const padY = Math.max(0, Math.floor((outH - inH) / 2));
  const copyW = Math.min(inW, outW);
  const copyH = Math.min(inH, outH);
  for (let y = 0; y < copyH; y++) {
    const from = ((y + cropY) * inW + cropX) * 3;
    out.set(src.subarray(from, from + copyW * 3), ((y + padY) * outW + padX) * 3);
  }
  return out;
}

async function readImageFile(file: string, unreadable: (reason: string) => Error): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      ENOENT: 'file no longer exists',
      EISDIR: 'is a directory',
      ELOOP: 'symbolic link loop',
    };
    throw unreadable(reasons[code ?? ''] ?? `unreadable (${code ?? String(err)})`);
  }
}

function describeSharpError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/unsupported image format/i.test(message)) return 'not an image in a supported format';
  if (/pixel limit/i.test(message)) return 'dimensions exceed the pixel limit (possible decompression bomb)';
  if (/premature end|truncated|unexpected end/i.test(message)) return `truncated or corrupt (${firstLine(message)})`;
  return `could not be decoded (${firstLine(message)})`;
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
