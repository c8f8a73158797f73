import {ClipByValue} from '@tensorflow/tfjs-core';
import {unaryKernelConfig, UnaryOp} from './unary';

export const clipByValueConfig = unaryKernelConfig(ClipByValue, UnaryOp.Clip, attrs => [attrs.clipValueMin as number, attrs.clipValueMax as number]);
