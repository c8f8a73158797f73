// Tensors saved for a gradient, as plain references on this backend.
//
// tfjs-core's engine saves a kernel's inputs and outputs for its gradient through engine.clone:
// an Identity kernel run through runKernel, plus a tape node for the copy (~475 per resnet18-half
// training step, ~4 ms of a ~120 ms bf16 one). At first order that tape node is never on a path from the
// variables to the loss (nothing in the forward pass reads a saved copy), so a new tensor on the
// same data, with the data's reference count raised, is all a saved copy has to be. While an outer
// tape records (higher-order gradients differentiate through saved tensors), on other backends,
// and for a tensor whose data another backend holds, the stock clone stays.
import {engine, getBackend, Tensor} from '@tensorflow/tfjs-core';
import {gradientDepth} from './native_gradient';

interface EngineInternals {
  clone(x: Tensor): Tensor;
  makeTensorFromTensorInfo(info: {dataId: object, shape: number[], dtype: string}): Tensor;
  backend: {incRef(dataId: object): void};
  state: {tensorInfo: WeakMap<object, {backend: unknown}>};
}

const installed = Symbol('onednn.savedTensors');

export function installSavedTensorReferences(): void {
  const e = engine() as unknown as EngineInternals & {[installed]?: true};
  if (e[installed]) return;
  e[installed] = true;
  const clone = e.clone.bind(e);
  // engine.clone is called only to save tensors for a gradient (tf.clone runs Identity itself).
  e.clone = (x: Tensor) => {
    if (gradientDepth() > 1 || getBackend() !== 'onednn' || e.state.tensorInfo.get(x.dataId)?.backend !== e.backend) {
      return clone(x);
    }
    const copy = e.makeTensorFromTensorInfo({dataId: x.dataId, shape: x.shape, dtype: x.dtype});
    e.backend.incRef(x.dataId);
    return copy;
  };
}
