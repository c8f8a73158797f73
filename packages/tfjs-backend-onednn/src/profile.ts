// Per-kernel wall time, for the benchmark's step breakdown. Off by default: the wrapper then
// costs one boolean check per kernel call.
import {KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';

export interface KernelTime {
  ms: number;
  calls: number;
}

let times: Map<string, KernelTime>|null = null;

/** Starts accumulating time per kernel name (nested kernels count in their callers too). */
export function startKernelProfile(): void {
  times = new Map();
}

/** Stops and returns the time per kernel since startKernelProfile(). */
export function stopKernelProfile(): {[kernelName: string]: KernelTime} {
  const result = Object.fromEntries(times ?? []);
  times = null;
  return result;
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
