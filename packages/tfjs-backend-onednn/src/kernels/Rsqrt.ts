import {Rsqrt} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const rsqrtConfig = unaryKernelConfig(Rsqrt, UnaryOp.Rsqrt);
