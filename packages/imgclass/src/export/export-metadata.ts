import * as tf from '@tensorflow/tfjs';
import type { PreprocessingConfig } from '../data/config';
import type { Classifier } from '../trained-network/load-classifier';
import { IMGCLASS_VERSION } from '../version';

const RESIZE_TEXT: Record<PreprocessingConfig['resizeMode'], string> = {
  stretch: 'scale each axis independently to exactly {W}×{H} (aspect ratio not kept)',
  cover: 'scale to fill {W}×{H} keeping the aspect ratio, then crop the centre',
  contain: 'scale to fit inside {W}×{H} keeping the aspect ratio, then pad with black, centred',
  'crop-or-pad': 'no scaling: crop the centre, or pad with black, to {W}×{H} (TF resize_image_with_crop_or_pad)',
};

/** One paragraph a user of another runtime can implement from. */
export function describePreprocessing(p: PreprocessingConfig): string {
  const resize = RESIZE_TEXT[p.resizeMode].replace('{W}', String(p.width)).replace('{H}', String(p.height));
  const n = p.normalization;
  const normalize =
    n.kind === 'standardize'
      ? 'x = (v - mean) / max(std, 1/sqrt(N)) with mean and population std over all N = H*W*3 values of the picture (TF per_image_standardization)'
      : n.kind === 'unit'
        ? 'x = v / 255'
        : `x = (v / 255 - mean[c]) / std[c] with mean = [${n.mean.join(', ')}], std = [${n.std.join(', ')}] (RGB)`;
  return (
    `Decode to 8-bit RGB (EXIF orientation applied, transparency flattened onto white); ${resize}; ` +
    `then per value v in 0..255: ${normalize}. Input tensor: float32 [batch, ${p.height}, ${p.width}, 3], NHWC, RGB.`
  );
}

/** metadata.json next to an exported TensorFlow.js model: what a page or app needs to use it. */
export interface ExportMetadata {
  format: 'imgclass-tfjs-layers';
  imgclassVersion: string;
  tfjsVersion: string;
  /** Architecture, e.g. 'lenet5'. */
  model: string;
  /** Output i is classes[i]; the output is softmax probabilities. */
  classes: string[];
  input: { width: number; height: number; channels: 3; layout: 'NHWC'; dtype: 'float32' };
  resizeMode: PreprocessingConfig['resizeMode'];
  normalization: PreprocessingConfig['normalization'];
  /** The full config as imgclass stores it. */
  preprocessing: PreprocessingConfig;
  preprocessingText: string;
  /** Scripts to load (after tfjs) that register layers stock tfjs lacks, e.g. imgclass-layers.js for LRN. */
  customLayerScripts: string[];
}

export function exportMetadata(c: Classifier, customLayerScripts: string[]): ExportMetadata {
  const p = c.preprocessing;
  return {
    format: 'imgclass-tfjs-layers',
    imgclassVersion: IMGCLASS_VERSION,
    tfjsVersion: tf.version.tfjs,
    model: c.modelName,
    classes: c.classes,
    input: { width: p.width, height: p.height, channels: 3, layout: 'NHWC', dtype: 'float32' },
    resizeMode: p.resizeMode,
    normalization: p.normalization,
    preprocessing: p,
    preprocessingText: describePreprocessing(p),
    customLayerScripts,
  };
}

/** ONNX metadata_props: flat strings, JSON where structured. */
export function onnxMetadataProps(c: Classifier): Record<string, string> {
  const p = c.preprocessing;
  return {
    'imgclass.version': IMGCLASS_VERSION,
    'imgclass.model': c.modelName,
    classes: JSON.stringify(c.classes),
    'input.layout': 'NHWC',
    'input.width': String(p.width),
    'input.height': String(p.height),
    'preprocessing.resize_mode': p.resizeMode,
    'preprocessing.normalization': JSON.stringify(p.normalization),
    'preprocessing.config': JSON.stringify(p),
    preprocessing: describePreprocessing(p),
    outputs: 'probabilities: softmax over classes; logits: the scores before softmax (when the network ends in softmax)',
  };
}
