// Shared by BatchMatMul and _FusedMatMul.
import {backend_util, broadcast_util, TensorInfo, util} from '@tensorflow/tfjs-core';
import {native} from '../native';
import {activationCode} from './activation';
import {applyBiasAndActivation} from './fused_util';
import {allocate, Backend, f32} from './kernel_util';

export interface MatmulArgs {
  a: TensorInfo;
  b: TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  bias?: TensorInfo;
  activation?: backend_util.Activation;
  preluWeights?: TensorInfo;
  leakyreluAlpha?: number;
}

/** Batch sizes the native matmul takes: equal, or one side a single matrix. */
export function nativeBatches(a: TensorInfo, b: TensorInfo): boolean {
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  return a.shape.length >= 2 && b.shape.length >= 2 &&
      (batchA === batchB || batchA === 1 || batchB === 1);
}

/** [rows, cols] of a bias that broadcasts onto [m, n], or undefined. */
function biasMatrix(bias: TensorInfo, m: number, n: number): [number, number]|undefined {
  const shape = bias.shape;
  if (shape.slice(0, -2).some(d => d !== 1)) return undefined;
  const rows = shape.length >= 2 ? shape[shape.length - 2] : 1;
  const cols = shape.length >= 1 ? shape[shape.length - 1] : 1;
  return (rows === 1 || rows === m) && (cols === 1 || cols === n) ? [rows, cols] : undefined;
}

export function matmul(backend: Backend, args: MatmulArgs): TensorInfo {
  const {a, b, transposeA, transposeB, bias, preluWeights} = args;
  const activation = args.activation ?? 'linear';
  const alpha = args.leakyreluAlpha ?? 0.2;
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  util.assert(k === kb, () => `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ` +
      `${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const outShape = [...outer, m, n];
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const biasShape = bias ? biasMatrix(bias, m, n) : [1, 1];
  const code = activationCode(activation);
  const fuseAll = biasShape !== undefined && code !== undefined;
  const out = allocate(outShape);
  native.matmul(
      f32(backend, a), f32(backend, b), bias && biasShape ? f32(backend, bias) : null, out,
      Int32Array.from([batchA, batchB, m, k, n, +transposeA, +transposeB, ...(biasShape ?? [1, 1])]),
      fuseAll ? code : 0, alpha);
  const result = backend.makeTensorInfo(outShape, 'float32', out);
  if (fuseAll) return result;
  return applyBiasAndActivation(backend, result, biasShape ? undefined : bias, activation, preluWeights, alpha);
}
