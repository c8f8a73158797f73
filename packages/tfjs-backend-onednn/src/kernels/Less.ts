import {Less} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const lessConfig = binaryKernelConfig(Less, BinaryOp.Less, 'bool');
