import {Maximum} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const maximumConfig = binaryKernelConfig(Maximum, BinaryOp.Maximum);
