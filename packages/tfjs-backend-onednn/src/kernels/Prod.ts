import {Prod} from '@tensorflow/tfjs-core';
import {reduceKernelConfig, ReduceOp} from './reduce';

export const prodConfig = reduceKernelConfig(Prod, ReduceOp.Prod);
