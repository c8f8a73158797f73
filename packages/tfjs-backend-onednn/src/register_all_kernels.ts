import {KernelConfig} from '@tensorflow/tfjs-core';
import {absConfig} from './kernels/Abs';
import {addConfig} from './kernels/Add';
import {avgPoolConfig} from './kernels/AvgPool';
import {avgPoolGradConfig} from './kernels/AvgPoolGrad';
import {batchMatMulConfig} from './kernels/BatchMatMul';
import {clipByValueConfig} from './kernels/ClipByValue';
import {conv2DConfig} from './kernels/Conv2D';
import {conv2DBackpropFilterConfig} from './kernels/Conv2DBackpropFilter';
import {conv2DBackpropInputConfig} from './kernels/Conv2DBackpropInput';
import {depthwiseConv2dNativeConfig} from './kernels/DepthwiseConv2dNative';
import {depthwiseConv2dNativeBackpropFilterConfig} from './kernels/DepthwiseConv2dNativeBackpropFilter';
import {depthwiseConv2dNativeBackpropInputConfig} from './kernels/DepthwiseConv2dNativeBackpropInput';
import {eluConfig} from './kernels/Elu';
import {eluGradConfig} from './kernels/EluGrad';
import {equalConfig} from './kernels/Equal';
import {expConfig} from './kernels/Exp';
import {fusedBatchNormConfig} from './kernels/FusedBatchNorm';
import {fusedConv2DConfig} from './kernels/FusedConv2D';
import {fusedDepthwiseConv2DConfig} from './kernels/FusedDepthwiseConv2D';
import {greaterConfig} from './kernels/Greater';
import {greaterEqualConfig} from './kernels/GreaterEqual';
import {lrnConfig} from './kernels/LRN';
import {lrnGradConfig} from './kernels/LRNGrad';
import {leakyReluConfig} from './kernels/LeakyRelu';
import {lessConfig} from './kernels/Less';
import {lessEqualConfig} from './kernels/LessEqual';
import {logConfig} from './kernels/Log';
import {maxConfig} from './kernels/Max';
import {maxPoolConfig} from './kernels/MaxPool';
import {maxPoolGradConfig} from './kernels/MaxPoolGrad';
import {maximumConfig} from './kernels/Maximum';
import {meanConfig} from './kernels/Mean';
import {minConfig} from './kernels/Min';
import {minimumConfig} from './kernels/Minimum';
import {multiplyConfig} from './kernels/Multiply';
import {negConfig} from './kernels/Neg';
import {notEqualConfig} from './kernels/NotEqual';
import {prodConfig} from './kernels/Prod';
import {realDivConfig} from './kernels/RealDiv';
import {reciprocalConfig} from './kernels/Reciprocal';
import {reluConfig} from './kernels/Relu';
import {relu6Config} from './kernels/Relu6';
import {rsqrtConfig} from './kernels/Rsqrt';
import {sigmoidConfig} from './kernels/Sigmoid';
import {softmaxConfig} from './kernels/Softmax';
import {sqrtConfig} from './kernels/Sqrt';
import {squareConfig} from './kernels/Square';
import {squaredDifferenceConfig} from './kernels/SquaredDifference';
import {stepConfig} from './kernels/Step';
import {subConfig} from './kernels/Sub';
import {sumConfig} from './kernels/Sum';
import {onednnBatchNormGradConfig} from './kernels/OnednnBatchNormGrad';
import {
  onednnBatchNormLayerConfig, onednnBatchNormReluLayerConfig, onednnBatchNormTrainingConfig, onednnBatchNormTrainingGradConfig,
  onednnMomentsConfig, onednnMomentsGradConfig,
} from './kernels/OnednnBatchNormTraining';
import {onednnAddReluConfig} from './kernels/OnednnAddRelu';
import {onednnClipGradConfig} from './kernels/OnednnClipGrad';
import {onednnMeanGradConfig} from './kernels/OnednnMeanGrad';
import {onednnReluGradConfig} from './kernels/OnednnReluGrad';
import {onednnSquareGradConfig} from './kernels/OnednnSquareGrad';
import {onednnTrainingConv2DConfig} from './kernels/OnednnTrainingConv2D';
import {tanhConfig} from './kernels/Tanh';
import {tileConfig} from './kernels/Tile';
import {gatherV2Config} from './kernels/GatherV2';
import {fusedMatMulConfig} from './kernels/_FusedMatMul';

// Every kernel that runs natively on oneDNN; all others are the CPU backend's.
export const nativeKernelConfigs: KernelConfig[] = [
  absConfig,
  addConfig,
  avgPoolConfig,
  avgPoolGradConfig,
  batchMatMulConfig,
  clipByValueConfig,
  conv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  eluConfig,
  eluGradConfig,
  equalConfig,
  expConfig,
  fusedBatchNormConfig,
  fusedConv2DConfig,
  fusedDepthwiseConv2DConfig,
  greaterConfig,
  greaterEqualConfig,
  lrnConfig,
  lrnGradConfig,
  leakyReluConfig,
  lessConfig,
  lessEqualConfig,
  logConfig,
  maxConfig,
  maxPoolConfig,
  maxPoolGradConfig,
  maximumConfig,
  meanConfig,
  minConfig,
  minimumConfig,
  multiplyConfig,
  negConfig,
  notEqualConfig,
  prodConfig,
  realDivConfig,
  reciprocalConfig,
  reluConfig,
  relu6Config,
  rsqrtConfig,
  sigmoidConfig,
  softmaxConfig,
  sqrtConfig,
  squareConfig,
  squaredDifferenceConfig,
  stepConfig,
  subConfig,
  sumConfig,
  onednnBatchNormGradConfig,
  onednnAddReluConfig,
  onednnBatchNormLayerConfig,
  onednnBatchNormReluLayerConfig,
  onednnBatchNormTrainingConfig,
  onednnBatchNormTrainingGradConfig,
  onednnMomentsConfig,
  onednnMomentsGradConfig,
  onednnClipGradConfig,
  onednnMeanGradConfig,
  onednnReluGradConfig,
  onednnSquareGradConfig,
  onednnTrainingConv2DConfig,
  tanhConfig,
  tileConfig,
  gatherV2Config,
  fusedMatMulConfig,
];

export const nativeKernelNames: string[] = nativeKernelConfigs.map(c => c.kernelName);
