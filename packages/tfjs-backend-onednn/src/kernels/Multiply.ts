import {Multiply} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const multiplyConfig = binaryKernelConfig(Multiply, BinaryOp.Mul);
