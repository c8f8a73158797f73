// The unary elementwise kernels: one native loop each (native/eltwise.cc).
import {KernelConfig, KernelFunc, NamedAttrMap, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {allocate, Backend, f32, fallback, nativeCompatible} from './kernel_util';

// Op codes shared with native/eltwise.cc (enum UnaryOp).
export const enum UnaryOp {
  Relu = 0, Elu, LeakyRelu, Sigmoid, Tanh, Step, Neg, Square, Sqrt, Rsqrt, Exp, Log, Abs, Clip,
  Reciprocal,
}

/** A kernel config for a unary op; `params` reads its (alpha, beta) from the attributes. */
export function unaryKernelConfig(
    kernelName: string, op: UnaryOp, params: (attrs: NamedAttrMap) => [number, number] = () => [0, 0]):
    KernelConfig {
  function kernelFunc(args: {inputs: {x: TensorInfo}, backend: Backend, attrs: NamedAttrMap}): TensorInfo {
    const {inputs: {x}, backend, attrs} = args;
    if (!nativeCompatible(backend, x)) return fallback(kernelName, args) as TensorInfo;
    const out = allocate(x.shape);
    const [alpha, beta] = params(attrs);
    native.unary(op, f32(backend, x), out, alpha, beta);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  }
  return {kernelName, backendName: 'onednn', kernelFunc: kernelFunc as unknown as KernelFunc};
}
