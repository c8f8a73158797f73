// Tokens naming a tensor's values for native/conv.cc's cache of weights reordered for inference.
// A tensor's values never change in tfjs, with one exception: the fused optimizers update variables
// in place (optimizers/slots.ts's writableValues). So a token is dropped, with the native copies made
// under it, when its data is disposed or written in place; the next read gets a fresh token.
import {DataId} from '@tensorflow/tfjs-core';
import {native} from './native';

const tokens = new WeakMap<DataId, number>();
let lastToken = 0;

/** The token of `dataId`'s current values (positive). */
export function weightsToken(dataId: DataId): number {
  let token = tokens.get(dataId);
  if (token == null) tokens.set(dataId, token = ++lastToken);
  return token;
}

/** Called when `dataId`'s values are freed or about to be written in place. */
export function forgetWeights(dataId: DataId): void {
  const token = tokens.get(dataId);
  if (token == null) return;
  tokens.delete(dataId);
  native.forgetWeights(token);
}
