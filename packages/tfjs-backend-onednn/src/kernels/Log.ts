import {Log} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const logConfig = unaryKernelConfig(Log, UnaryOp.Log);
