import { DatasetError } from './errors';

/**
 * How a picture of any size is brought to the network's input shape.
 * - stretch: scale each axis independently (aspect ratio not kept).
 * - cover: scale to fill, then centre-crop.
 * - contain: scale to fit, then zero-pad (letterbox).
 * - crop-or-pad: no scaling; centre crop or zero pad, as TF's
 *   `resize_image_with_crop_or_pad`.
 */
export type ResizeMode = 'stretch' | 'cover' | 'contain' | 'crop-or-pad';
export const RESIZE_MODES: readonly ResizeMode[] = ['stretch', 'cover', 'contain', 'crop-or-pad'];

/**
 * Per-image normalization applied to uint8 pixels to produce float32 input.
 * - standardize: TF `per_image_standardization`: (x - mean) / max(std, 1/sqrt(N)).
 * - unit: x / 255.
 * - mean-std: (x / 255 - mean[c]) / std[c] per channel (ImageNet style, values on the 0..1 scale).
 */
export type Normalization =
  | { kind: 'standardize' }
  | { kind: 'unit' }
  | { kind: 'mean-std'; mean: [number, number, number]; std: [number, number, number] };

/** Everything needed to reproduce the model's input from an image file; saved with the model. */
export interface PreprocessingConfig {
  version: 1;
  width: number;
  height: number;
  channels: 3;
  resizeMode: ResizeMode;
  normalization: Normalization;
}

export const DEFAULT_SIZE = 150;

export const DEFAULT_PREPROCESSING: PreprocessingConfig = Object.freeze({
  version: 1,
  width: DEFAULT_SIZE,
  height: DEFAULT_SIZE,
  channels: 3,
  resizeMode: 'stretch',
  normalization: { kind: 'standardize' },
}) as PreprocessingConfig;

/** User-facing shorthand: `size` sets both sides; everything is optional. */
export interface PreprocessingOptions {
  size?: number | [width: number, height: number];
  resizeMode?: ResizeMode;
  normalization?: Normalization | Normalization['kind'];
}

/** Builds a complete, validated config (also accepts a config loaded from a saved model). */
export function resolvePreprocessing(
  options: PreprocessingOptions | PreprocessingConfig = {},
): PreprocessingConfig {
  const full = options as Partial<PreprocessingConfig>;
  const short = options as PreprocessingOptions;
  let width = full.width ?? DEFAULT_SIZE;
  let height = full.height ?? DEFAULT_SIZE;
  if (short.size !== undefined) {
    [width, height] = typeof short.size === 'number' ? [short.size, short.size] : short.size;
  }
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 4096) {
      throw new DatasetError('INVALID_OPTION', `Image ${name} must be an integer between 1 and 4096, got ${v}.`);
    }
  }
  const resizeMode = short.resizeMode ?? 'stretch';
  if (!RESIZE_MODES.includes(resizeMode)) {
    throw new DatasetError(
      'INVALID_OPTION',
      `Unknown resize mode '${resizeMode}'; expected one of ${RESIZE_MODES.join(', ')}.`,
    );
  }
  const normalization = resolveNormalization(short.normalization ?? { kind: 'standardize' });
  return { version: 1, width, height, channels: 3, resizeMode, normalization };
}

function resolveNormalization(n: Normalization | Normalization['kind']): Normalization {
  const value: Normalization | { kind: string } = typeof n === 'string' ? ({ kind: n } as Normalization) : n;
  switch (value.kind) {
    case 'standardize':
    case 'unit':
      return { kind: value.kind };
    case 'mean-std': {
      const { mean, std } = value as Partial<Extract<Normalization, { kind: 'mean-std' }>>;
      const ok = (a: unknown): a is [number, number, number] =>
        Array.isArray(a) && a.length === 3 && a.every((x) => typeof x === 'number' && Number.isFinite(x));
      if (!ok(mean) || !ok(std) || std.some((s) => s <= 0)) {
        throw new DatasetError(
          'INVALID_OPTION',
          "Normalization 'mean-std' needs three finite means and three positive standard deviations.",
        );
      }
      return { kind: 'mean-std', mean: [...mean], std: [...std] };
    }
    default:
      throw new DatasetError(
        'INVALID_OPTION',
        `Unknown normalization '${value.kind}'; expected standardize, unit or mean-std.`,
      );
  }
}
