import {Relu} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const reluConfig = unaryKernelConfig(Relu, UnaryOp.Relu, undefined, true);
