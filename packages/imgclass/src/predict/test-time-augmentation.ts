import * as tf from '@tensorflow/tfjs';

/**
 * What test-time augmentation averages over: 'flip', the picture and its mirror image (2 views);
 * 'crops', the picture and its four corner crops, each also mirrored (10 views).
 */
export type TtaMode = 'flip' | 'crops';

/** The views of each mode, as reports name them. */
export const TTA_VIEWS: Readonly<Record<TtaMode, string>> = { flip: 'flip', crops: 'flip, 4 corner crops' };

/** The default mode's name (what `tta: true` means). */
export const TTA_DESCRIPTION = TTA_VIEWS.flip;

/**
 * Each corner crop keeps this share of each side, resized back to the input size: a shift of up
 * to 1/8 of the side and a 1/7 zoom, the scale of the ±16-pixel shifts at 128×128 that training's
 * pad-crop=16 makes.
 */
export const TTA_CROP_FRACTION = 0.875;

/** `true` is the default mode, 'flip'; false and undefined are no augmentation. */
export function ttaMode(tta: boolean | TtaMode | undefined): TtaMode | null {
  return tta === true ? 'flip' : tta === false || tta === undefined ? null : tta;
}

export interface BatchProbabilities {
  /** Softmax outputs for the pictures as they are. */
  plain: tf.Tensor2D;
  /** With test-time augmentation: the mean of the outputs over all views (`plain` is the first view). */
  augmented?: tf.Tensor2D;
}

/**
 * The views of a preprocessed batch [n, height, width, 3] that `mode` averages over, each a
 * batch like `xs`: the pictures, their mirror images, then (crops) the top-left, top-right,
 * bottom-left and bottom-right crops of TTA_CROP_FRACTION of each side (bilinear, TensorFlow's
 * crop_and_resize), each followed by its mirror image. Working on normalized pixels equals
 * working on the picture: every normalization is per channel or per picture, and affine, and
 * flips and bilinear resizing commute with that. The first view is `xs` itself; the caller
 * disposes the others.
 */
export function ttaViews(xs: tf.Tensor4D, mode: TtaMode): tf.Tensor4D[] {
  return tf.tidy(() => {
    const views: tf.Tensor4D[] = [xs, tf.image.flipLeftRight(xs)];
    if (mode === 'crops') {
      const n = xs.shape[0];
      const [height, width] = [xs.shape[1], xs.shape[2]];
      const f = TTA_CROP_FRACTION;
      const indices = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
      // [y1, x1, y2, x2] in [0, 1], the corner first: top-left, top-right, bottom-left, bottom-right.
      for (const [y1, x1] of [[0, 0], [0, 1 - f], [1 - f, 0], [1 - f, 1 - f]]) {
        const boxes = tf.tensor2d(Array.from({ length: n }, () => [y1, x1, y1 + f, x1 + f]), [n, 4]);
        const crop = tf.image.cropAndResize(xs, boxes, indices, [height, width], 'bilinear');
        views.push(crop, tf.image.flipLeftRight(crop));
      }
    }
    return views;
  });
}

/**
 * Runs the classifier in inference mode on a preprocessed batch
 * [n, height, width, 3]; with `tta` also on the other views of the batch
 * (see ttaViews) and averages the probabilities. The caller disposes the
 * tensors returned.
 */
export function predictBatchProbabilities(model: tf.LayersModel, xs: tf.Tensor4D, tta: boolean | TtaMode, batchSize = 32): BatchProbabilities {
  const mode = ttaMode(tta);
  return tf.tidy(() => {
    const plain = model.predict(xs, { batchSize }) as tf.Tensor2D;
    if (!mode) return { plain };
    const others = ttaViews(xs, mode).slice(1).map((view) => model.predict(view, { batchSize }) as tf.Tensor2D);
    return { plain, augmented: tf.div(tf.addN([plain, ...others]), others.length + 1) as tf.Tensor2D };
  });
}
