import {Sum} from '@tensorflow/tfjs-core';
import {reduceKernelConfig, ReduceOp} from './reduce';

export const sumConfig = reduceKernelConfig(Sum, ReduceOp.Sum);
