import {Relu6} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const relu6Config = unaryKernelConfig(Relu6, UnaryOp.Relu6);
