import {Sub} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const subConfig = binaryKernelConfig(Sub, BinaryOp.Sub);
