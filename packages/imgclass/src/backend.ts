import * as tf from '@tensorflow/tfjs';

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
