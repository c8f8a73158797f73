// tf.layers' BatchNormalization while training: one kernel for the normalization (and the ReLU
// layer after it), and the moving statistics updated in place.
//
// The stock layer runs tf.moments, then tf.batchNorm, then updates each moving statistic with
// three kernels (v - (v - batch) * (1 - momentum): Sub, Multiply, Sub) recorded on the gradient
// tape, then assign(): with the ReLU layer after it, eleven kernels per layer whose engine
// bookkeeping, not arithmetic, was 10–14 ms of a ~110 ms `resnet18-half` bf16 step (2026-12-02,
// measured by skipping them). Here, on this backend, one kernel computes the batch moments and
// normalizes with them (the same native passes as tf.moments and tf.batchNorm on this backend),
// applying the following ReLU layer's max(·, 0) (capped for a ReLU with maxValue, as MobileNet's
// ReLU6) when relu_fusion.ts says that layer may be folded in; its gradient is one native kernel
// too. Each moving statistic is then updated by one loop on the variable's own values, in the stock
// update's float32 operations in the same order: training is bit-identical to the stock layers on
// this backend (with a capped ReLU folded in, in float32; see relu_fusion.ts). Every other case —
// inference, other backends, ranks other than 4, a normalized axis other than the last, no scale or
// no offset, a constraint on the moving statistics, a gradient of a gradient — is the stock layer's.
//
// tf.layers is optional for a tfjs program: without @tensorflow/tfjs-layers nothing is patched.
import {engine, getBackend, NamedAttrMap, NamedTensorMap, Tensor, tidy, Variable} from '@tensorflow/tfjs-core';
import {gradientDepth} from '../gradients/native_gradient';
import {ONEDNN_BATCH_NORM_LAYER, ONEDNN_BATCH_NORM_RELU_LAYER} from '../kernels/OnednnBatchNormTraining';
import {readValues, writableValues} from '../optimizers/slots';
import {installReluFusion, LayerLike, markReluApplied, reluAfter} from './relu_fusion';

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

const installed = Symbol('onednn.batchNormLayer');

export function installLayerFusions(): void {
  let layers: Parameters<typeof installReluFusion>[0] & {layers: {batchNormalization(args: object): object}};
  try {
    layers = require('@tensorflow/tfjs-layers');
  } catch {
    return;
  }
  installReluFusion(layers);
  const proto = Object.getPrototypeOf(layers.layers.batchNormalization({})) as
      BatchNormalizationLayer & {[installed]?: true};
  if (proto[installed]) return;
  proto[installed] = true;
  const stock = proto.call;
  proto.call = function(this: BatchNormalizationLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
    if (kwargs?.['training'] !== true || getBackend() !== 'onednn' || gradientDepth() > 1 || input == null ||
        !takesFastPath(this, input)) {
      return stock.call(this, inputs, kwargs);
    }
    const relu = reluAfter(this as unknown as LayerLike);
    return tidy(() => {
      const [y, mean, variance] = engine().runKernel(
          relu ? ONEDNN_BATCH_NORM_RELU_LAYER : ONEDNN_BATCH_NORM_LAYER,
          {x: input, scale: this.gamma!.read(), offset: this.beta!.read()} as unknown as NamedTensorMap,
          {varianceEpsilon: this.epsilon, ...(relu && relu.max < Infinity ? {reluMax: relu.max} : {})} as
              unknown as NamedAttrMap) as Tensor[];
      movingAverage(this.movingMean.read(), mean, this.momentum);
      movingAverage(this.movingVariance.read(), variance, this.momentum);
      return relu ? markReluApplied(y, relu.layer) : y;
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
