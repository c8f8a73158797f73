import {Max} from '@tensorflow/tfjs-core';
import {reduceKernelConfig, ReduceOp} from './reduce';

export const maxConfig = reduceKernelConfig(Max, ReduceOp.Max, 'reductionIndices');
