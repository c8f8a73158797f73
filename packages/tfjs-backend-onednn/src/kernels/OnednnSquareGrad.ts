// Square's gradient, dy * 2x, in one pass (tfjs runs two multiplies; see gradients/square_grad.ts).
import {binaryKernelConfig, BinaryOp} from './binary';

export const ONEDNN_SQUARE_GRAD = 'OnednnSquareGrad';

export const onednnSquareGradConfig = binaryKernelConfig(ONEDNN_SQUARE_GRAD, BinaryOp.SquareGrad);
