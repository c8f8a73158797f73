import {LessEqual} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const lessEqualConfig = binaryKernelConfig(LessEqual, BinaryOp.LessEqual, 'bool');
