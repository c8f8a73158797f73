import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../math/rng';

/**
 * tf.layers' Dropout draws its mask from `this.seed`: a fixed seed repeats
 * the same mask every step, no seed uses Math.random (not reproducible).
 * Rewriting the seed from (run seed, step, layer) before each step gives
 * fresh masks that a resumed run reproduces exactly.
 */
export function reseedDropout(model: tf.LayersModel, runSeed: number, step: number): void {
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed: number }).seed = deriveSeed(runSeed, step, i, 0xd0);
  });
}
