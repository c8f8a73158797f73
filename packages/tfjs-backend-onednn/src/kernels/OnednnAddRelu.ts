// relu(a + b) in one pass: a residual block's tail (layers/relu_fusion.ts), same shapes only.
import {binaryKernelConfig, BinaryOp} from './binary';

export const ONEDNN_ADD_RELU = 'OnednnAddRelu';

export const onednnAddReluConfig = binaryKernelConfig(ONEDNN_ADD_RELU, BinaryOp.AddRelu);
