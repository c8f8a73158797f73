// Loads the N-API addon. A missing or broken build is the most common install problem,
// so the error says in one sentence what is missing and which command fixes it.
import * as path from 'path';

export interface NativeAddon {
  version(): string;
  isa(): string;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  implNames(): string[];
  [kernel: string]: Function;
}

function load(): NativeAddon {
  const addonPath = path.join(__dirname, '..', 'build', 'Release', 'tfjs_onednn.node');
  try {
    return require(addonPath) as NativeAddon;
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    const hint = /libdnnl/.test(reason)
      ? 'oneDNN is not installed: run `apt-get install libdnnl-dev`, then `npm rebuild @imgclass/tfjs-backend-onednn`'
      : 'the native addon is not built: run `apt-get install libdnnl-dev g++ make python3 && npm rebuild @imgclass/tfjs-backend-onednn`';
    const err = new Error(`@imgclass/tfjs-backend-onednn: ${hint} (${reason}).`);
    throw err;
  }
}

export const native: NativeAddon = load();
