import {SquaredDifference} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const squaredDifferenceConfig = binaryKernelConfig(SquaredDifference, BinaryOp.SquaredDifference);
