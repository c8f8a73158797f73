import {RealDiv} from '@tensorflow/tfjs-core';
import {binaryKernelConfig, BinaryOp} from './binary';

export const realDivConfig = binaryKernelConfig(RealDiv, BinaryOp.Div);
