import {Equal} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const equalConfig = binaryKernelConfig(Equal, BinaryOp.Equal, 'bool');
