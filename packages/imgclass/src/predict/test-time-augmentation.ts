import * as tf from '@tensorflow/tfjs';

/** What test-time augmentation averages over: the picture and its mirror image. */
export const TTA_DESCRIPTION = 'flip';

export interface BatchProbabilities {
  /** Softmax outputs for the pictures as they are. */
  plain: tf.Tensor2D;
  /** With test-time augmentation: the mean of `plain` and the outputs for the horizontally flipped pictures. */
  augmented?: tf.Tensor2D;
}

/**
 * Runs the classifier in inference mode on a preprocessed batch
 * [n, height, width, 3]; with `tta` also on its mirror image. Flipping the
 * normalized pixels equals flipping the picture: every normalization is
 * per channel or per picture. The caller disposes the tensors returned.
 */
export function predictBatchProbabilities(model: tf.LayersModel, xs: tf.Tensor4D, tta: boolean, batchSize = 32): BatchProbabilities {
  return tf.tidy(() => {
    const plain = model.predict(xs, { batchSize }) as tf.Tensor2D;
    if (!tta) return { plain };
    const flipped = model.predict(tf.image.flipLeftRight(xs), { batchSize }) as tf.Tensor2D;
    return { plain, augmented: tf.div(tf.add(plain, flipped), 2) as tf.Tensor2D };
  });
}
