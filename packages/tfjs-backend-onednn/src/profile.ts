// Per-kernel wall time, for the benchmark's step breakdown. Off by default: the wrapper then
// costs one boolean check per kernel call.
import {KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';
import {native} from './native';

export interface KernelTime {
  ms: number;
  calls: number;
}

let times: Map<string, KernelTime>|null = null;
let primitives: KernelTime = {ms: 0, calls: 0};

/**
 * Starts accumulating time per kernel name (nested kernels count in their callers too), and the
 * time spent inside oneDNN's primitives.
 */
export function startKernelProfile(): void {
  times = new Map();
  native.timePrimitives(true);
}

/** Stops and returns the time per kernel since startKernelProfile(). */
export function stopKernelProfile(): {[kernelName: string]: KernelTime} {
  const result = Object.fromEntries(times ?? []);
  times = null;
  const [ms, calls] = native.timePrimitives(false) as [number, number];
  primitives = {ms, calls};
  return result;
}

/**
 * Of the last profile, the time inside oneDNN's primitives (convolutions, matmuls, pooling,
 * reorders; not this backend's own loops): what DNNL_VERBOSE would sum for the same calls.
 */
export function primitiveTime(): KernelTime {
  return primitives;
}

export function withTiming(config: KernelConfig): KernelConfig {
  const inner = config.kernelFunc;
  const kernelFunc: KernelFunc = args => {
    if (times == null) return inner(args);
    const start = process.hrtime.bigint();
    const out = inner(args);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const entry = times.get(config.kernelName) ?? {ms: 0, calls: 0};
    entry.ms += ms;
    entry.calls += 1;
    times.set(config.kernelName, entry);
    return out;
  };
  return {...config, kernelFunc};
}
