import {GreaterEqual} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const greaterEqualConfig = binaryKernelConfig(GreaterEqual, BinaryOp.GreaterEqual, 'bool');
