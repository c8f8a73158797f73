import {Square} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const squareConfig = unaryKernelConfig(Square, UnaryOp.Square);
