import * as tf from '@tensorflow/tfjs-core';
import { PreprocessingConfig, PreprocessingOptions, resolvePreprocessing } from './config';
import { decodeImage, DecodeOptions } from './decode';
import { normalizeImage } from './normalize';

/**
 * Prepares one picture for prediction exactly as training saw it: decode,
 * resize, normalize with the model's saved preprocessing config.
 * Returns float32 [1, height, width, 3]; throws ImageDecodeError naming the
 * file when it is not a usable image.
 */
export async function imageToTensor(
  input: string | Uint8Array,
  preprocessing: PreprocessingOptions | PreprocessingConfig = {},
  options: DecodeOptions = {},
): Promise<tf.Tensor4D> {
  const config = resolvePreprocessing(preprocessing);
  const image = await decodeImage(input, config, options);
  const pixels = normalizeImage(image.data, config.normalization);
  return tf.tensor4d(pixels, [1, config.height, config.width, 3], 'float32');
}
