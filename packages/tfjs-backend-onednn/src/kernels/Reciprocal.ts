import {Reciprocal} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const reciprocalConfig = unaryKernelConfig(Reciprocal, UnaryOp.Reciprocal);
