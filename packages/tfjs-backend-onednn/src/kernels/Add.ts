import {Add} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const addConfig = binaryKernelConfig(Add, BinaryOp.Add);
