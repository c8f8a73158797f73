import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../math/rng';
import { ImgclassError } from '../errors';

type Shape = (number | null)[];
type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** How weights start: sensible He/Glorot defaults, the seed tutorial's truncated normals, or zeros (for counting only). */
export type InitScheme = 'default' | 'tutorial' | 'zeros';

export interface BuildContext {
  /** Registry name, used in error messages and as the model's name. */
  model: string;
  width: number;
  height: number;
  classes: number;
  /** Seed for weight initialization; undefined draws fresh random weights. */
  seed?: number;
  init: InitScheme;
  /** Smallest square input that survives every layer (for the error message). */
  minSize: number;
}

/**
 * Wraps tf.layers' functional API with two things every network here needs:
 * a shape check before each layer (so a too-small input names the layer that
 * collapses instead of failing deep inside tfjs), and per-layer initializer
 * seeds derived from one run seed (so `--seed` reproduces the weights).
 */
export class NetBuilder {
  private seedCounter = 0;

  constructor(readonly ctx: BuildContext) {}

  input(): tf.SymbolicTensor {
    return tf.input({ shape: [this.ctx.height, this.ctx.width, 3], name: 'input' });
  }

  apply(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
    const inShape = Array.isArray(x) ? x.map((t) => t.shape) : x.shape;
    const out = layer.computeOutputShape(inShape as Shape) as Shape;
    if (out.slice(1).some((d) => d !== null && d < 1)) {
      const { model, width, height, minSize } = this.ctx;
      throw new ImgclassError(
        'SIZE_TOO_SMALL',
        `The input size ${width}×${height} is too small for ${model}: layer '${layer.name}' would output ${formatShape(out)} (the smallest size ${model} accepts is ${minSize}).`,
      );
    }
    return layer.apply(x) as tf.SymbolicTensor;
  }

  /** Applies layers one after another. */
  chain(x: tf.SymbolicTensor, layers: tf.layers.Layer[]): tf.SymbolicTensor {
    return layers.reduce((t, layer) => this.apply(layer, t), x);
  }

  /** Kernel initializer for a layer followed by ReLU. */
  he(): Initializer {
    if (this.ctx.init === 'zeros') return tf.initializers.zeros();
    return tf.initializers.heNormal({ seed: this.nextSeed() });
  }

  /** Kernel initializer for the classifier (softmax) layer. */
  glorot(): Initializer {
    if (this.ctx.init === 'zeros') return tf.initializers.zeros();
    return tf.initializers.glorotUniform({ seed: this.nextSeed() });
  }

  truncatedNormal(stddev: number): Initializer {
    if (this.ctx.init === 'zeros') return tf.initializers.zeros();
    return tf.initializers.truncatedNormal({ mean: 0, stddev, seed: this.nextSeed() });
  }

  /** Per-step seed slot for dropout layers; the trainer rewrites it each step (see train/dropout-seeds.ts). */
  dropoutSeed(): number {
    return this.nextSeed() ?? 0;
  }

  finish(input: tf.SymbolicTensor, output: tf.SymbolicTensor): tf.LayersModel {
    return tf.model({ inputs: input, outputs: output, name: this.ctx.model.replace(/[^A-Za-z0-9_]/g, '_') });
  }

  private nextSeed(): number | undefined {
    const index = this.seedCounter++;
    return this.ctx.seed === undefined ? undefined : deriveSeed(this.ctx.seed, index);
  }
}

/** `[null, 38, 38, 120]` -> `38×38×120`. */
export function formatShape(shape: Shape): string {
  return shape.slice(1).map((d) => (d === null ? '?' : String(d))).join('×');
}
