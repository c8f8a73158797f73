// The unary elementwise kernels: one native loop each (native/eltwise.cc).
import {KernelConfig, KernelFunc, NamedAttrMap, TensorInfo} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {activation, allocateActivation, holdsBf16, makeActivation} from '../activation_storage';
import {Backend, fallback, nativeCompatible} from './kernel_util';

// Op codes shared with native/eltwise.cc (enum UnaryOp).
export const enum UnaryOp {
  Relu = 0, Elu, LeakyRelu, Sigmoid, Tanh, Step, Neg, Square, Sqrt, Rsqrt, Exp, Log, Abs, Clip,
  Reciprocal,
}

/**
 * A kernel config for a unary op; `params` reads its (alpha, beta) from the attributes. Any op reads
 * a bf16 activation as it is; an activation function (`keepsBf16`) also gives one back, as between
 * layers under autocast.
 */
export function unaryKernelConfig(
    kernelName: string, op: UnaryOp, params: (attrs: NamedAttrMap) => [number, number] = () => [0, 0],
    keepsBf16 = false): KernelConfig {
  function kernelFunc(args: {inputs: {x: TensorInfo}, backend: Backend, attrs: NamedAttrMap}): TensorInfo {
    const {inputs: {x}, backend, attrs} = args;
    if (!nativeCompatible(backend, x)) return fallback(kernelName, args) as TensorInfo;
    const out = allocateActivation(x.shape, keepsBf16 && holdsBf16(backend, x));
    const [alpha, beta] = params(attrs);
    native.unary(op, activation(backend, x), out, alpha, beta);
    return makeActivation(backend, x.shape, out);
  }
  return {kernelName, backendName: 'onednn', kernelFunc: kernelFunc as unknown as KernelFunc};
}
