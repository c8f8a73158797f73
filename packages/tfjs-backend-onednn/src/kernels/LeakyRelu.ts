import {LeakyRelu} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const leakyReluConfig = unaryKernelConfig(LeakyRelu, UnaryOp.LeakyRelu, attrs => [attrs.alpha as number, 0]);
