import {Minimum} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const minimumConfig = binaryKernelConfig(Minimum, BinaryOp.Minimum);
