import {Elu} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const eluConfig = unaryKernelConfig(Elu, UnaryOp.Elu);
