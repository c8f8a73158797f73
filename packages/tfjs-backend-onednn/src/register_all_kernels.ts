import {KernelConfig} from '@tensorflow/tfjs-core';

// Every kernel that runs natively on oneDNN; all others are the CPU backend's.
export const nativeKernelConfigs: KernelConfig[] = [
];

export const nativeKernelNames: string[] = nativeKernelConfigs.map(c => c.kernelName);
