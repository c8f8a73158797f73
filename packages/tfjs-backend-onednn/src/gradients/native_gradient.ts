// Gradients are registered per kernel name for every backend, so ours wrap tfjs's: on the
// onednn backend, with inputs the native kernel takes, they run one fused native kernel;
// everywhere else, tfjs's own gradient, unchanged. The native kernels have no gradients of
// their own, so while a gradient is itself being recorded (grad of grad) tfjs's runs too.
import {engine, GradConfig, getBackend, getGradient, registerGradient, Tensor} from '@tensorflow/tfjs-core';

type GradFunc = GradConfig['gradFunc'];

const wrapped = new WeakSet<GradConfig>();

/** How many gradient tapes are recording now (tfjs-core's engine state; 0 outside tf.grads & co.). */
export function gradientDepth(): number {
  return (engine() as unknown as {state: {gradientDepth: number}}).state.gradientDepth;
}

/**
 * Installs `nativeGradFunc` in front of tfjs's gradient for `kernelName`, if tfjs's is
 * registered (importing `@tensorflow/tfjs` registers them) and not already wrapped.
 * `nativeGradFunc` returns undefined when it doesn't apply.
 */
export function wrapGradient(
    kernelName: string,
    nativeGradFunc: (dy: Tensor, saved: Tensor[], attrs: Parameters<GradFunc>[2]) => ReturnType<GradFunc>|undefined) {
  const stock = getGradient(kernelName);
  if (stock == null || wrapped.has(stock)) return;
  const config: GradConfig = {
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const recording = gradientDepth() > 0;
      const fused = getBackend() === 'onednn' && !recording && !Array.isArray(dy) ?
          nativeGradFunc(dy, saved, attrs) : undefined;
      return fused ?? stock.gradFunc(dy, saved, attrs);
    },
  };
  wrapped.add(config);
  registerGradient(config);
}
