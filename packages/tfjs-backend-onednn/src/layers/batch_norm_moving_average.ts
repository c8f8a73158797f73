// tf.layers' BatchNormalization while training, with its moving statistics updated in place.
//
// The stock layer updates each moving statistic with three kernels (v - (v - batch) * (1 - momentum):
// Sub, Multiply, Sub) recorded on the gradient tape, then assign(): six tiny kernels per layer, whose
// engine bookkeeping cost a `resnet18-half` bf16 step 10–14 ms of ~110 (2026-12-02, measured by
// skipping them). Here, on this backend, the same arithmetic runs as one loop per statistic on the
// variable's own values, in the same float32 operations in the same order (bit-identical to the
// stock update), and the normalization is the stock one: tf.moments, then tf.batchNorm4d (both run
// this package's native BatchNorm-in-training kernels). Every other case — inference, other
// backends, ranks other than 4, a normalized axis other than the last, no scale or no offset, a
// constraint on the moving statistics — is the stock layer's.
//
// tf.layers is optional for a tfjs program: without @tensorflow/tfjs-layers nothing is patched.
import {getBackend, Rank, Tensor, tidy, Variable} from '@tensorflow/tfjs-core';
import type * as tfc from '@tensorflow/tfjs-core';
import {readValues, writableValues} from '../optimizers/slots';

interface LayerVariable {
  read(): Variable;
  constraint?: unknown;
}

interface BatchNormalizationLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: LayerVariable|null;
  beta?: LayerVariable|null;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
  call(inputs: Tensor|Tensor[], kwargs: {[key: string]: unknown}): Tensor|Tensor[];
}

const installed = Symbol('onednn.batchNormMovingAverage');

export function installBatchNormMovingAverage(): void {
  let layers: {layers: {batchNormalization(args: object): object}};
  try {
    layers = require('@tensorflow/tfjs-layers');
  } catch {
    return;
  }
  const proto = Object.getPrototypeOf(layers.layers.batchNormalization({})) as
      BatchNormalizationLayer & {[installed]?: true};
  if (proto[installed]) return;
  proto[installed] = true;
  const stock = proto.call;
  // tfjs-core's CommonJS exports, where this package's moments and batchNorm4d are installed.
  const ops = require('@tensorflow/tfjs-core') as typeof tfc;
  proto.call = function(this: BatchNormalizationLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
    if (kwargs?.['training'] !== true || getBackend() !== 'onednn' || input == null || !takesFastPath(this, input)) {
      return stock.call(this, inputs, kwargs);
    }
    return tidy(() => {
      const {mean, variance} = ops.moments(input, [0, 1, 2]);
      const normalized = ops.batchNorm4d(
          input as Tensor<Rank.R4>, mean as Tensor<Rank.R1>, variance as Tensor<Rank.R1>, this.beta!.read() as Tensor<Rank.R1>,
          this.gamma!.read() as Tensor<Rank.R1>, this.epsilon);
      movingAverage(this.movingMean.read(), mean, this.momentum);
      movingAverage(this.movingVariance.read(), variance, this.momentum);
      return normalized;
    });
  };
}

function takesFastPath(layer: BatchNormalizationLayer, input: Tensor): boolean {
  if (input.rank !== 4 || input.dtype !== 'float32') return false;
  if (layer.axis !== -1 && layer.axis !== 3) return false;
  if (layer.gamma == null || layer.beta == null) return false;
  const stats = [layer.movingMean, layer.movingVariance];
  return stats.every(s => s.constraint == null && s.read().dtype === 'float32' && s.read().size === input.shape[3]);
}

/** v ← v − (v − batch)·(1 − momentum), as the stock layer's Sub, Multiply, Sub in float32. */
function movingAverage(variable: Variable, batch: Tensor, momentum: number): void {
  const decay = Math.fround(1 - momentum);
  const b = readValues(batch);
  const v = writableValues(variable);
  for (let i = 0; i < v.length; i++) v[i] = Math.fround(v[i] - Math.fround(Math.fround(v[i] - b[i]) * decay));
}
