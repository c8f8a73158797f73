import {Exp} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const expConfig = unaryKernelConfig(Exp, UnaryOp.Exp);
