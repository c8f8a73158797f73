// Gathering whole rows (axis 0, as in picking a batch's pictures in a new order: mixup's partners)
// as block copies. The CPU kernel computes every element's index separately: ~100 ms for a batch
// of 32 pictures at 128×128, two thirds of a training step.
import {GatherV2, GatherV2Attrs, GatherV2Inputs, KernelConfig, KernelFunc, util} from '@tensorflow/tfjs-core';
import {allocate, Backend, f32, fallback, Inputs, nativeCompatible} from './kernel_util';

function gatherV2(args: {inputs: Inputs<GatherV2Inputs>, backend: Backend, attrs: GatherV2Attrs}) {
  const {inputs: {x, indices}, backend, attrs} = args;
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  if (axis !== 0 || (attrs.batchDims ?? 0) !== 0 || indices.dtype !== 'int32' || x.shape.length === 0 ||
      !nativeCompatible(backend, x)) {
    return fallback(GatherV2, args);
  }
  const rows = backend.data.get(indices.dataId).values as Int32Array;
  // Out-of-range indices: the CPU kernel's error.
  if (rows.some(r => r < 0 || r >= x.shape[0])) return fallback(GatherV2, args);
  const rowSize = util.sizeFromShape(x.shape.slice(1));
  const outShape = [...indices.shape, ...x.shape.slice(1)];
  const out = allocate(outShape);
  const values = f32(backend, x);
  rows.forEach((r, i) => out.set(values.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize));
  return backend.makeTensorInfo(outShape, 'float32', out);
}

export const gatherV2Config: KernelConfig = {
  kernelName: GatherV2,
  backendName: 'onednn',
  kernelFunc: gatherV2 as unknown as KernelFunc,
};
