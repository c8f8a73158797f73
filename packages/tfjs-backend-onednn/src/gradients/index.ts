import {installBatchNormGradient} from './batch_norm_grad';
import {installClipGradient} from './clip_grad';
import {installMeanGradient} from './mean_grad';
import {installReluGradient} from './relu_grad';
import {installSquareGradient} from './square_grad';

/** Puts the fused native gradients in front of tfjs's (idempotent; see native_gradient.ts). */
export function installNativeGradients(): void {
  installBatchNormGradient();
  installClipGradient();
  installMeanGradient();
  installReluGradient();
  installSquareGradient();
}
