import {Sigmoid} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const sigmoidConfig = unaryKernelConfig(Sigmoid, UnaryOp.Sigmoid);
