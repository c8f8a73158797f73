// Gradients of the kernels layers/batch_norm_layer.ts and layers/relu_fusion.ts run in a tf.layers
// model's graph: BatchNorm by its own batch statistics (then ReLU, or a capped ReLU), and relu(a + b).
import {engine, registerGradient, reshape, Tensor} from '@tensorflow/tfjs-core';
import {ONEDNN_ADD_RELU} from '../kernels/OnednnAddRelu';
import {ONEDNN_BATCH_NORM_LAYER, ONEDNN_BATCH_NORM_RELU_LAYER} from '../kernels/OnednnBatchNormTraining';
import {ONEDNN_RELU_GRAD} from '../kernels/OnednnReluGrad';
import {batchNormTrainingGradients} from './batch_norm_training';

const installed = Symbol('onednn.layerFusionGradients');

export function installLayerFusionGradients(): void {
  const registry = registerGradient as {[installed]?: true};
  if (registry[installed]) return;
  registry[installed] = true;
  for (const relu of [false, true]) {
    registerGradient({
      kernelName: relu ? ONEDNN_BATCH_NORM_RELU_LAYER : ONEDNN_BATCH_NORM_LAYER,
      inputsToSave: ['x', 'scale'],
      // [y, mean, variance]: y only for the ReLU's mask.
      outputsToSave: [relu, true, true],
      gradFunc: (dys, saved, attrs) => {
        // The batch statistics feed only the moving averages, off the tape: their dys are zeros.
        const dy = (dys as Tensor[])[0];
        const [x, scale, ...outputs] = saved;
        const [mean, variance] = relu ? outputs.slice(1) : outputs;
        const y = relu ? outputs[0] : undefined;
        const {varianceEpsilon, reluMax} = attrs as {varianceEpsilon: number, reluMax?: number};
        return batchNormTrainingGradients(x, dy, mean, variance, scale, varianceEpsilon, y, reluMax);
      },
    });
  }
  registerGradient({
    kernelName: ONEDNN_ADD_RELU,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved;
      const masked = engine().runKernel(ONEDNN_RELU_GRAD, {dy: dy as Tensor, x: y}) as Tensor;
      // Each input gets its own handle on the same values (tfjs's Add gradient gives each a reshape):
      // returned as it is, `masked` is freed as the backward pass goes (release_during_backprop.ts).
      return {a: () => masked, b: () => reshape(masked, y.shape)};
    },
  });
}
