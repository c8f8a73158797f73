import {Sqrt} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const sqrtConfig = unaryKernelConfig(Sqrt, UnaryOp.Sqrt);
