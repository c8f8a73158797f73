import {_FusedMatMul, _FusedMatMulAttrs, _FusedMatMulInputs, KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {Backend, fallback, nativeCompatible} from './kernel_util';
import {matmul, nativeBatches} from './matmul';

function fusedMatMul(args: {inputs: _FusedMatMulInputs, backend: Backend, attrs: _FusedMatMulAttrs}) {
  const {inputs: {a, b, bias, preluActivationWeights}, backend, attrs} = args;
  if (!nativeCompatible(backend, a, b, bias, preluActivationWeights) || !nativeBatches(a, b)) {
    return fallback(_FusedMatMul, args);
  }
  return matmul(backend, {
    a, b, transposeA: attrs.transposeA, transposeB: attrs.transposeB, bias, activation: attrs.activation,
    preluWeights: preluActivationWeights, leakyreluAlpha: attrs.leakyreluAlpha,
  });
}

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'onednn',
  kernelFunc: fusedMatMul as unknown as KernelFunc,
};
