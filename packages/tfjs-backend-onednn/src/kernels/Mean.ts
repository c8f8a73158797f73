import {Mean} from '@tensorflow/tfjs-core';
import {reduceKernelConfig, ReduceOp} from './reduce';

export const meanConfig = reduceKernelConfig(Mean, ReduceOp.Mean);
