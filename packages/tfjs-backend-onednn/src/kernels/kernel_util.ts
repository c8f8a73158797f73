// Helpers every native kernel wrapper uses: typed-array access, outputs, and the CPU fallback.
import {getKernel, KernelFunc, TensorInfo, util} from '@tensorflow/tfjs-core';
import {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import {Bf16Data} from '../activation_storage';
import {takeBuffer} from '../buffer_pool';

export type Backend = MathBackendCPU;

/** The float32 values a tensor holds in the CPU backend, read in place (no copy). */
export function f32(backend: Backend, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

/** True when every tensor is a non-empty float32 tensor the native kernels take. */
export function nativeCompatible(backend: Backend, ...tensors: Array<TensorInfo|undefined>): boolean {
  for (const t of tensors) {
    if (t == null) continue;
    if (t.dtype !== 'float32' || util.sizeFromShape(t.shape) === 0) return false;
    const record = backend.data.get(t.dataId);
    if (!(record instanceof Bf16Data || record.values instanceof Float32Array)) return false;
  }
  return true;
}

/** An output tensor's values, from the buffer pool; the native kernel overwrites all of them. */
export function allocate(shape: number[]): Float32Array {
  return takeBuffer(util.sizeFromShape(shape));
}

/** The CPU backend's implementation of a kernel, for inputs the native one doesn't take. */
export function cpuKernel(kernelName: string): KernelFunc {
  const config = getKernel(kernelName, 'cpu');
  if (config == null) throw new Error(`onednn: the CPU backend has no kernel ${kernelName}`);
  return config.kernelFunc;
}

/** Runs the CPU kernel on the same arguments. */
export function fallback(
    kernelName: string, args: {inputs: object, backend: Backend, attrs?: object}): TensorInfo|TensorInfo[] {
  return cpuKernel(kernelName)(args as Parameters<KernelFunc>[0]);
}

/** A kernel's named inputs, all present (tfjs types them as possibly undefined). */
export type Inputs<T> = {[K in keyof T]-?: NonNullable<T[K]>};
