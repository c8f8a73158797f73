import {NotEqual} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const notEqualConfig = binaryKernelConfig(NotEqual, BinaryOp.NotEqual, 'bool');
