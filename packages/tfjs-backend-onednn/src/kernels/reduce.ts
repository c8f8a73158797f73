// The reduction kernels: one oneDNN reduction primitive over any axes (native/reduce.cc).
import {KernelConfig, KernelFunc, NamedAttrMap, TensorInfo, util} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {activation} from '../activation_storage';
import {allocate, Backend, f32, fallback, nativeCompatible} from './kernel_util';

// Op codes shared with native/reduce.cc (enum ReduceOp).
export const enum ReduceOp { Sum = 0, Mean, Max, Min, Prod }

/** A kernel config for a reduction; `axisAttr` names the attribute holding the axes. */
export function reduceKernelConfig(kernelName: string, op: ReduceOp, axisAttr = 'axis'): KernelConfig {
  function kernelFunc(args: {inputs: {x: TensorInfo}, backend: Backend, attrs: NamedAttrMap}): TensorInfo {
    const {inputs: {x}, backend, attrs} = args;
    const axes = util.parseAxisParam(attrs[axisAttr] as number|number[], x.shape);
    if (!nativeCompatible(backend, x) || axes.length === 0) return fallback(kernelName, args) as TensorInfo;
    const keptShape = x.shape.map((d, i) => axes.includes(i) ? 1 : d);
    const out = allocate(keptShape);
    const sorted = [...axes].sort((a, b) => a - b);
    const first = sorted[0], last = sorted[sorted.length - 1];
    if (last - first + 1 === sorted.length) {
      // One contiguous block of axes: [outer, reduced, inner] (read as bf16 where x is a bf16 activation).
      native.reduceBlock(op, activation(backend, x), out, util.sizeFromShape(x.shape.slice(0, first)),
                         util.sizeFromShape(x.shape.slice(first, last + 1)), util.sizeFromShape(x.shape.slice(last + 1)));
    } else {
      native.reduce(op, f32(backend, x), out, Int32Array.from(x.shape), Int32Array.from(keptShape));
    }
    const outShape = attrs.keepDims ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
    return backend.makeTensorInfo(outShape, 'float32', out);
  }
  return {kernelName, backendName: 'onednn', kernelFunc: kernelFunc as unknown as KernelFunc};
}
