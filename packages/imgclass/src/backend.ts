import * as tf from '@tensorflow/tfjs';
import { ImgclassError } from './errors';

type OnednnModule = typeof import('@imgclass/tfjs-backend-onednn');

/**
 * Importing the oneDNN backend registers it as tfjs' default. If its native
 * addon cannot load (not built, wrong platform), imgclass still works on
 * tfjs' pure-JS CPU backend, only far slower; `info` and `train` say so.
 */
let onednn: OnednnModule | undefined;
let loadError: string | undefined;
try {
  onednn = require('@imgclass/tfjs-backend-onednn') as OnednnModule;
} catch (err) {
  loadError = err instanceof Error ? err.message.split('\n')[0] : String(err);
}

export interface BackendInfo {
  /** The tfjs backend in use: 'onednn', or 'cpu' when the native addon did not load. */
  name: string;
  onednnVersion: string | null;
  isa: string | null;
  threads: number | null;
  /** Why the oneDNN backend is not in use. */
  problem: string | null;
}

/** Waits for tfjs to initialize its backend and describes it. */
export async function backendInfo(): Promise<BackendInfo> {
  await tf.ready();
  const native = onednn?.info();
  return {
    name: tf.getBackend(),
    onednnVersion: native?.onednnVersion ?? null,
    isa: native?.isa ?? null,
    threads: native?.threads ?? null,
    problem: loadError ? `the oneDNN backend did not load (${loadError})` : null,
  };
}

/** Whether the oneDNN backend loaded and this CPU has bf16 instructions (AVX-512 BF16 or AMX). */
export function supportsBfloat16(): boolean {
  return onednn?.supportsBfloat16() ?? false;
}

/** 'float32', or 'bfloat16' for mixed precision (bf16 convolutions, f32 weights). */
export type Precision = 'float32' | 'bfloat16';

/**
 * Runs `work` with the backend computing in `precision`, then returns to float32. bfloat16 needs
 * the oneDNN backend on a CPU with bf16 instructions; anything else is a clear error.
 */
export async function withPrecision<T>(precision: Precision, work: () => Promise<T>): Promise<T> {
  if (precision === 'float32') return work();
  await tf.ready();
  if (!onednn || tf.getBackend() !== 'onednn') {
    throw new ImgclassError('INVALID_OPTION', `--bf16 needs the oneDNN backend, but tfjs runs on '${tf.getBackend()}'${loadError ? ` (${loadError})` : ''}.`);
  }
  if (!onednn.supportsBfloat16()) {
    throw new ImgclassError('INVALID_OPTION', `--bf16 needs a CPU with bf16 instructions (AVX-512 BF16 or AMX); this one has ${onednn.info().isa}.`);
  }
  onednn.setPrecision(precision);
  try {
    return await work();
  } finally {
    onednn.setPrecision('float32');
  }
}
