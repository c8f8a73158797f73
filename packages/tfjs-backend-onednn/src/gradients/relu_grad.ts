// ReLU's gradient from its output rather than its input: y > 0 exactly where x > 0, so the result
// is tfjs's on every backend, but the tensor kept for the backward pass is the output, which the
// next layer keeps anyway. The input (a BatchNorm's output, a residual sum) can then be freed as
// soon as the forward pass has moved on. On this backend it is one native pass.
import {cast, engine, getBackend, getGradient, GradConfig, mul, registerGradient, Relu, step, Tensor} from '@tensorflow/tfjs-core';
import {ONEDNN_RELU_GRAD} from '../kernels/OnednnReluGrad';
import {gradientDepth} from './native_gradient';

const reluGradient: GradConfig = {
  kernelName: Relu,
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [y] = saved;
    const native = getBackend() === 'onednn' && gradientDepth() === 0 && !Array.isArray(dy) &&
        y.dtype === 'float32' && dy.dtype === 'float32' && y.size > 0;
    if (native) return {x: () => engine().runKernel(ONEDNN_RELU_GRAD, {dy: dy as Tensor, x: y}) as Tensor};
    return {x: () => mul(dy as Tensor, step(cast(y, 'float32')))};
  },
};

/** Registers the gradient above, again if tfjs's own was registered over it (importing @tensorflow/tfjs after this package). */
export function installReluGradient(): void {
  if (getGradient(Relu) !== reluGradient) registerGradient(reluGradient);
}
