import {BatchMatMul, BatchMatMulAttrs, BatchMatMulInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {Backend, fallback, Inputs, nativeCompatible} from './kernel_util';
import {matmul, nativeBatches} from './matmul';

function batchMatMul(args: {inputs: Inputs<BatchMatMulInputs>, backend: Backend, attrs: BatchMatMulAttrs}) {
  const {inputs: {a, b}, backend, attrs} = args;
  if (!nativeCompatible(backend, a, b) || !nativeBatches(a, b)) return fallback(BatchMatMul, args);
  return matmul(backend, {a, b, transposeA: attrs.transposeA, transposeB: attrs.transposeB});
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'onednn',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
