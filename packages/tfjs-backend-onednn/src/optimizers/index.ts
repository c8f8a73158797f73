import {installFusedAdam} from './adam';
import {installFusedMomentum} from './momentum';
import {installFusedRmsProp} from './rmsprop';
import {installFusedSgd} from './sgd';

let installed = false;

/**
 * Routes the stock tfjs optimizers (tf.train.*, and the names model.compile takes) through
 * native fused updates whenever the onednn backend is active; other backends are untouched.
 */
export function installFusedOptimizers(): void {
  if (installed) return;
  installed = true;
  installFusedAdam();
  installFusedSgd();
  installFusedMomentum();
  installFusedRmsProp();
}
