// Importing this package registers the `onednn` backend with a priority above `cpu`,
// so `tf.getBackend()` is 'onednn' without further code.
import {native} from './native';
import {registerOnednnBackend, BACKEND_NAME} from './backend';
import {availableParallelism} from 'os';
import {installFusedOptimizers} from './optimizers';

const threadsFromEnv = Number(process.env.TFJS_ONEDNN_THREADS);
native.setNumThreads(
    Number.isInteger(threadsFromEnv) && threadsFromEnv > 0 ? threadsFromEnv : availableParallelism());

registerOnednnBackend();
installFusedOptimizers();

export {BACKEND_NAME};
export {nativeKernelNames} from './register_all_kernels';
export {startKernelProfile, stopKernelProfile, KernelTime} from './profile';

export interface OnednnInfo {
  /** oneDNN library version, e.g. "2.6.3". */
  onednnVersion: string;
  /** The instruction set oneDNN dispatches to, e.g. "avx512_core_bf16". */
  isa: string;
  /** Threads the kernels run on (TFJS_ONEDNN_THREADS, default: all cores). */
  threads: number;
}

export function info(): OnednnInfo {
  return {onednnVersion: native.version(), isa: native.isa(), threads: native.getNumThreads()};
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
