// Which of the `*_test.js` files shipped in @tensorflow/tfjs-core/dist run against the 'onednn'
// backend. Paths are relative to tfjs-core's dist/ folder, without `.js`; `*` matches within one
// path segment, `**/` any number of folders. (dist/miniprogram/, a copy of the library for
// WeChat, is never searched.)
//
// All of them: every file passes on the CPU kernels, and the whole suite takes seconds. Most
// exercise kernels (ops/**, gradients, tensors, variables, optimizers, engine, tape, profiler,
// debug mode, chained ops); about 20 files test JS-only parts of tfjs-core (io/*, platforms/*,
// backends/* helpers, util, hash_util, serialization, flags, environment, device_util,
// browser_util, jasmine_util, test_util, types, version, kernel_registry, globals). Those run
// too, with 'onednn' as the current backend; they cost about 3 s.

export const INCLUDE_PATTERNS: string[] = [
  '**/*_test',
];

/** Files matched by INCLUDE_PATTERNS that are not run, each with its one-line reason. */
export const FILE_EXCLUDES: {file: string, reason: string}[] = [
];
