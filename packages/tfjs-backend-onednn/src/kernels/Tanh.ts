import {Tanh} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const tanhConfig = unaryKernelConfig(Tanh, UnaryOp.Tanh);
