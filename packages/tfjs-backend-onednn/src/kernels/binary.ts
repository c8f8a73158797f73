// The binary elementwise kernels with broadcasting: one native loop each (native/binary.cc).
import {broadcast_util, DataType, KernelConfig, KernelFunc, TensorInfo, util} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {activation, allocateActivation, holdsBf16, makeActivation} from '../activation_storage';
import {allocate, Backend, f32, fallback, nativeCompatible} from './kernel_util';

// Op codes shared with native/binary.cc (enum BinaryOp).
export const enum BinaryOp {
  Add = 0, Sub, Mul, Div, Maximum, Minimum, SquaredDifference,
  Greater, GreaterEqual, Less, LessEqual, Equal, NotEqual, SquareGrad, AddRelu,
}

/** Pads a shape with leading 1s to `rank`. */
function padded(shape: number[], rank: number): Int32Array {
  const out = new Int32Array(rank).fill(1);
  out.set(shape, rank - shape.length);
  return out;
}

/** Ops the native code runs on bf16 activations (equal shapes only). */
const BF16_OPS = new Set([BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.AddRelu]);
/** Ops whose result stays bf16 when both inputs are. */
const BF16_RESULTS = new Set([BinaryOp.Add, BinaryOp.AddRelu]);

/**
 * A kernel config for a binary op on float32 inputs; comparisons produce 'bool'. A residual add of
 * two bf16 activations (or the sum of two such gradients; or relu of a residual add) gives a bf16 activation.
 */
export function binaryKernelConfig(kernelName: string, op: BinaryOp, outDtype: DataType = 'float32'):
    KernelConfig {
  function kernelFunc(args: {inputs: {a: TensorInfo, b: TensorInfo}, backend: Backend}): TensorInfo {
    const {inputs: {a, b}, backend} = args;
    if (!nativeCompatible(backend, a, b)) return fallback(kernelName, args) as TensorInfo;
    const outShape = broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (BF16_OPS.has(op) && util.arraysEqual(a.shape, b.shape) && (holdsBf16(backend, a) || holdsBf16(backend, b))) {
      const out = allocateActivation(outShape, BF16_RESULTS.has(op) && holdsBf16(backend, a) && holdsBf16(backend, b));
      const shape = Int32Array.from(outShape);
      native.binary(op, activation(backend, a), activation(backend, b), out, shape, shape, shape);
      return makeActivation(backend, outShape, out);
    }
    const size = util.sizeFromShape(outShape);
    // float32 outputs come from the buffer pool: a fresh array per call costs a zero-fill and,
    // for activations of megabytes, page faults (residual adds and gradient sums in a ResNet).
    const out = outDtype === 'bool' ? new Uint8Array(size) : allocate(outShape);
    const rank = outShape.length;
    native.binary(
        op, f32(backend, a), f32(backend, b), out, padded(a.shape, rank), padded(b.shape, rank),
        Int32Array.from(outShape));
    return backend.makeTensorInfo(outShape, outDtype, out);
  }
  return {kernelName, backendName: 'onednn', kernelFunc: kernelFunc as unknown as KernelFunc};
}
