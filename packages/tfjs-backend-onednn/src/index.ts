// Importing this package registers the `onednn` backend with a priority above `cpu`,
// so `tf.getBackend()` is 'onednn' without further code.
import {native} from './native';
import {registerOnednnBackend, BACKEND_NAME} from './backend';
import {availableParallelism} from 'os';
import {installFusedOptimizers} from './optimizers';
import {installLayerFusions} from './layers/batch_norm_layer';
import {setMixedPrecision} from './activation_storage';

const threadsFromEnv = Number(process.env.TFJS_ONEDNN_THREADS);
native.setNumThreads(
    Number.isInteger(threadsFromEnv) && threadsFromEnv > 0 ? threadsFromEnv : availableParallelism());

registerOnednnBackend();
installFusedOptimizers();
installLayerFusions();

export {BACKEND_NAME};
export {nativeKernelNames} from './register_all_kernels';
export {primitiveTime, startKernelProfile, stopKernelProfile, KernelTime} from './profile';

export interface OnednnInfo {
  /** oneDNN library version, e.g. "2.6.3". */
  onednnVersion: string;
  /** The instruction set oneDNN dispatches to, e.g. "avx512_core_bf16". */
  isa: string;
  /** Threads the kernels run on (TFJS_ONEDNN_THREADS, default: all cores). */
  threads: number;
  /** What convolutions compute in: 'float32' (default) or 'bfloat16' (see setPrecision). */
  precision: Precision;
}

export function info(): OnednnInfo {
  return {onednnVersion: native.version(), isa: native.isa(), threads: native.getNumThreads(), precision: getPrecision()};
}

/**
 * 'float32' (default) or 'bfloat16': mixed precision as in Keras's 'mixed_bfloat16' policy, for
 * CPUs with bf16 instructions (avx512_bf16, AMX). Convolutions (forward and both gradients) read
 * their inputs rounded to bf16, accumulate in f32 and write bf16 activations, which BatchNorm,
 * ReLU, residual adds and pooling pass on in bf16, as PyTorch's autocast (src/activation_storage.ts;
 * those tensors are still float32 to tfjs, and read as float32 anywhere else). Weights, gradients
 * of weights and optimizer state stay float32 (f32 master weights). Matrix products stay f32: the
 * dense layers this was measured on are memory-bound on their weights, which would have to be
 * converted per call.
 */
export type Precision = 'float32'|'bfloat16';

export function setPrecision(precision: Precision): void {
  if (precision !== 'float32' && precision !== 'bfloat16') {
    throw new Error(`setPrecision: expected 'float32' or 'bfloat16', got ${JSON.stringify(precision)}`);
  }
  if (precision === 'bfloat16' && !supportsBfloat16()) {
    throw new Error(`setPrecision: this CPU has no bf16 instructions (oneDNN ISA ${native.isa()}); use 'float32'`);
  }
  native.setBf16(precision === 'bfloat16');
  setMixedPrecision(precision === 'bfloat16');
}

export function getPrecision(): Precision {
  return native.getBf16() ? 'bfloat16' : 'float32';
}

/** Whether the CPU computes bf16 natively (AVX-512 BF16 or AMX). */
export function supportsBfloat16(): boolean {
  return /bf16|amx/.test(native.isa());
}

/** Sets the number of threads the native kernels use. */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setThreads: expected a positive integer, got ${n}`);
  native.setNumThreads(n);
}

/** oneDNN implementation names of every primitive created so far (e.g. "brg:avx512_core"). */
export function primitiveImplementations(): string[] {
  return native.implNames();
}
