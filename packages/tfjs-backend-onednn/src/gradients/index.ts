import {installBatchNormGradient} from './batch_norm_grad';
import {installBatchNormTraining} from './batch_norm_training';
import {installClipGradient} from './clip_grad';
import {installConv2dBiasActivation} from './conv2d_bias_activation';
import {installLayerFusionGradients} from './layer_fusion';
import {installMeanGradient} from './mean_grad';
import {installReleaseDuringBackprop} from './release_during_backprop';
import {installReluGradient} from './relu_grad';
import {installSavedTensorReferences} from './saved_tensors';
import {installSquareGradient} from './square_grad';

/** Puts the fused native gradients in front of tfjs's (idempotent; see native_gradient.ts). */
export function installNativeGradients(): void {
  installBatchNormGradient();
  installBatchNormTraining();
  installClipGradient();
  installConv2dBiasActivation();
  installLayerFusionGradients();
  installMeanGradient();
  installReleaseDuringBackprop();
  installReluGradient();
  installSavedTensorReferences();
  installSquareGradient();
}
