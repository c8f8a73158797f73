import {Step} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const stepConfig = unaryKernelConfig(Step, UnaryOp.Step, attrs => [attrs.alpha as number, 0]);
