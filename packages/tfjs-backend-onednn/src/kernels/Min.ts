import {Min} from '@tensorflow/tfjs-core';
import {reduceKernelConfig, ReduceOp} from './reduce';

export const minConfig = reduceKernelConfig(Min, ReduceOp.Min);
