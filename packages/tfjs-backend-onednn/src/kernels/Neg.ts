import {Neg} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const negConfig = unaryKernelConfig(Neg, UnaryOp.Neg);
