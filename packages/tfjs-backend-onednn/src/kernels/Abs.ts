import {Abs} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const absConfig = unaryKernelConfig(Abs, UnaryOp.Abs);
