// The package's native addon (binding.gyp: native/*.cc), built by node-gyp against libjpeg-turbo.
import path from 'node:path';
import { DatasetError } from './errors';

export interface NativeAddon {
  /** native/jpeg_decode.cc */
  decodeJpegs(inputs: string[] | Uint8Array[], width: number, height: number, maxInputPixels: number): Promise<{ pixels: Uint8Array; info: Float64Array }>;
  /** native/augment.cc: records through per-record axis maps, with the exact sums of the results. */
  resampleRecords(
    src: Uint8Array, count: number, width: number, height: number,
    colFirst: Int32Array, colSecond: Int32Array, colWeight: Float64Array,
    rowFirst: Int32Array, rowSecond: Int32Array, rowWeight: Float64Array,
    out: Uint8Array, sums: Float64Array,
  ): void;
  /** native/augment.cc: out[n*record + i] = tables[n*256 + src[n*record + i]]. */
  applyTables(src: Uint8Array, count: number, record: number, tables: Float32Array, out: Float32Array): void;
}

// src/data and dist/data are both two folders below the package root, where node-gyp builds.
// A missing build is an install problem, so the error says in one sentence which command fixes it.
function load(): NativeAddon {
  try {
    return require(path.join(__dirname, '..', '..', 'build', 'Release', 'imgclass_native.node')) as NativeAddon;
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    const hint = /libjpeg/.test(reason)
      ? 'libjpeg-turbo is not installed: run `apt-get install libjpeg62-turbo-dev`, then `npm rebuild imgclass`'
      : 'its native addon is not built: run `apt-get install libjpeg62-turbo-dev g++ make python3 && npm rebuild imgclass`';
    throw new DatasetError('NATIVE_ADDON', `imgclass: ${hint} (${reason}).`);
  }
}

let loaded: NativeAddon | undefined;

/** Loaded on first use, so commands that decode nothing (info, summary, help) run without it. */
export function nativeAddon(): NativeAddon {
  loaded ??= load();
  return loaded;
}
