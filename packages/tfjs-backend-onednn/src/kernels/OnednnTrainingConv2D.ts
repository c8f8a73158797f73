// FusedConv2D under its own name, so that recording it on a gradient tape finds the gradient in
// gradients/conv2d_bias_activation.ts (tfjs-core records none for FusedConv2D).
import {KernelConfig} from '@tensorflow/tfjs-core';
import {fusedConv2DConfig} from './FusedConv2D';

export const ONEDNN_TRAINING_CONV2D = 'OnednnTrainingConv2D';

export const onednnTrainingConv2DConfig: KernelConfig = {
  ...fusedConv2DConfig,
  kernelName: ONEDNN_TRAINING_CONV2D,
};
