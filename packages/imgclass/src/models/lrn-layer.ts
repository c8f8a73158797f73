import * as tf from '@tensorflow/tfjs';

export interface LrnArgs {
  name?: string;
  depthRadius: number;
  bias: number;
  alpha: number;
  beta: number;
}

/**
 * Local response normalization (tf.nn.lrn), which tf.layers lacks. Registered
 * for serialization so saved models that contain it load again through
 * imgclass (plain tfjs needs this class registered too).
 */
export class LocalResponseNormalization extends tf.layers.Layer {
  static readonly className = 'LocalResponseNormalization';
  private readonly depthRadius: number;
  private readonly bias: number;
  private readonly alpha: number;
  private readonly beta: number;

  constructor(args: LrnArgs) {
    super({ name: args.name });
    this.depthRadius = args.depthRadius;
    this.bias = args.bias;
    this.alpha = args.alpha;
    this.beta = args.beta;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.localResponseNormalization(x, this.depthRadius, this.bias, this.alpha, this.beta);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      depthRadius: this.depthRadius,
      bias: this.bias,
      alpha: this.alpha,
      beta: this.beta,
    };
  }
}

tf.serialization.registerClass(LocalResponseNormalization);

export function lrn(args: LrnArgs): LocalResponseNormalization {
  return new LocalResponseNormalization(args);
}
