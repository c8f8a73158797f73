/**
 * Image-folder data pipeline: folders of pictures -> decoded, resized,
 * cached uint8 pixels -> normalized float32 NHWC batches.
 *
 *   const data = await loadImageFolder({ roots: 'train', validationRoots: 'test' });
 *   console.log(formatReport(data.report));
 *   for await (const { xs, ys } of data.train.batches({ batchSize: 32, augment: true })) { ... }
 *   await model.fitDataset(data.train.asTfDataset({ labelFormat: 'onehot' }), { epochs, validationData: ... });
 *   // save data.classes and data.preprocessing with the model; predict with imageToTensor(file, preprocessing)
 */
export { DatasetError, ImageDecodeError } from './errors';
export type { DatasetErrorCode } from './errors';
export { DEFAULT_PREPROCESSING, RESIZE_MODES, resolvePreprocessing } from './config';
export type { Normalization, PreprocessingConfig, PreprocessingOptions, ResizeMode } from './config';
export { cropOrPad, decodeImage, DEFAULT_MAX_INPUT_PIXELS } from './decode';
export type { DecodedImage, DecodeOptions } from './decode';
export { normalizeImage, normalizeInto, standardizationStats } from './normalize';
export {
  brightnessContrastJitter,
  buildAugmentations,
  composeAugmentations,
  DEFAULT_AUGMENTATION,
  horizontalFlip,
  padAndRandomCrop,
  randomRotation,
  randomScaleCrop,
} from './augment';
export type { Augmentation, AugmentationOptions, PixelImage } from './augment';
export { createRng, deriveSeed } from '../math/rng';
export type { Rng } from '../math/rng';
export { IMAGE_EXTENSIONS } from './scan';
export type { FolderLayout, SkippedFile } from './scan';
export { DEFAULT_CACHE_DIR } from './pixel-cache';
export { BatchIterator } from './batch-iterator';
export type { Batch, DatasetSample, LabelFormat, LoaderStats } from './batch-iterator';
export { ImageDataset } from './image-dataset';
export type { BatchOptions, SplitName, TfDatasetLike } from './image-dataset';
export { loadEvaluationSet, loadImageFolder } from './load-image-folder';
export type {
  EvaluationData,
  EvaluationLoadOptions,
  ImageFolderData,
  LoadOptions,
  TrainingLoadOptions,
} from './load-image-folder';
export { formatReport, IMBALANCE_WARNING_RATIO } from './report';
export type { DatasetReport, SizeStats, SplitReport } from './report';
export { imageToTensor } from './image-to-tensor';
