import {Greater} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const greaterConfig = binaryKernelConfig(Greater, BinaryOp.Greater, 'bool');
