import {Relu6} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

// A clip to [0, 6] with run-time bounds: GCC 12 leaves the constant-bound loop scalar.
export const relu6Config = unaryKernelConfig(Relu6, UnaryOp.Clip, () => [0, 6]);
