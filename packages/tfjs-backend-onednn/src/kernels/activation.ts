// Activation codes shared with native/common.h (enum Activation).
import {backend_util} from '@tensorflow/tfjs-core';

const CODES: {[name: string]: number} = {
  linear: 0, relu: 1, relu6: 2, elu: 3, leakyrelu: 4, sigmoid: 5, tanh: 6,
};

/** The native code of a fused activation; undefined for 'prelu' (applied separately). */
export function activationCode(activation: backend_util.Activation|undefined): number|undefined {
  return CODES[activation ?? 'linear'];
}
