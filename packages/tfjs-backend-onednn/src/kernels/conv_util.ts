import {backend_util} from '@tensorflow/tfjs-core';

/**
 * The integer parameters of native/conv.cc's ConvParams. oneDNN wants the bottom/right
 * padding that makes its output size formula exact; TensorFlow's SAME split (extra pixel
 * at the bottom/right) and VALID's dropped remainder both follow from the output size.
 */
export function convParams(info: backend_util.Conv2DInfo, groups: number): Int32Array {
  const padBottom = (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight -
      info.inHeight - info.padInfo.top;
  const padRight = (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth -
      info.inWidth - info.padInfo.left;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left, padBottom, padRight, groups,
  ]);
}

/** Pooling parameters of native/pool.cc's PoolParams. */
export function poolParams(info: backend_util.Conv2DInfo): Int32Array {
  const padBottom = (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight -
      info.inHeight - info.padInfo.top;
  const padRight = (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth -
      info.inWidth - info.padInfo.left;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left, padBottom, padRight,
  ]);
}
