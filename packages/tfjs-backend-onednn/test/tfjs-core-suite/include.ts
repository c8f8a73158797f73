// Which of the `*_test.js` files shipped in @tensorflow/tfjs-core/dist run against the 'onednn'
// backend. Paths are relative to tfjs-core's dist/ folder, without `.js`; `*` matches within one
// path segment, `**/` any number of folders.
//
// We run every test file that exercises a backend (all ops, gradients, tensors, variables,
// optimizers, the engine). Files that test no backend at all (io, platform, browser or
// flag/utility code) are left out, each with its reason below.

export const INCLUDE_PATTERNS: string[] = [
  'ops/**/*_test',           // every op, incl. fused/, image/, linalg/, losses/, signal/, ...
  'gradients_test',          // tf.grad / tf.grads / customGrad over the backend's kernels
  'engine_test',             // tidy, memory accounting, backend switching
  'tape_test',               // autodiff tape
  'tensor_test',             // tensor creation, data(), dataSync(), casts, clone
  'variable_test',           // variables read/written through the backend
  'buffer_test',             // TensorBuffer <-> backend
  'debug_mode_test',         // NaN checks on kernel outputs
  'profiler_test',           // tf.profile with the backend's kernels
  'public/chained_ops/*_test',  // x.add(y) style chaining is registered for every op
  'optimizers/*_test',       // SGD/Adam/... update steps run on the backend
];

/** Files matched by INCLUDE_PATTERNS that are not run, each with its one-line reason. */
export const FILE_EXCLUDES: {file: string, reason: string}[] = [
];

/**
 * Top-level test files that are never matched above, listed so the choice is explicit
 * (they test no backend: pure JS utilities, platform or browser features).
 */
export const NOT_BACKEND_TESTS: {file: string, reason: string}[] = [
  {file: 'browser_util_test', reason: 'browser scheduling utilities (requestAnimationFrame), no kernels'},
  {file: 'device_util_test', reason: 'user-agent sniffing, no kernels'},
  {file: 'environment_test', reason: 'flag registry of tfjs-core, no kernels'},
  {file: 'flags_test', reason: 'flag registry of tfjs-core, no kernels'},
  {file: 'globals_test', reason: 'registers/queries test backends of its own, not ours'},
  {file: 'hash_util_test', reason: 'pure JS hashing, no kernels'},
  {file: 'jasmine_util_test', reason: 'tests the test filters themselves, no kernels'},
  {file: 'kernel_registry_test', reason: 'registers fake kernels on fake backends, not ours'},
  {file: 'serialization_test', reason: 'class registry for serialization, no kernels'},
  {file: 'tensor_util_test', reason: 'pure JS helpers, no kernels'},
  {file: 'test_util_test', reason: 'tests the test assertions, no kernels'},
  {file: 'types_test', reason: 'dtype upcasting tables, no kernels'},
  {file: 'util_test', reason: 'pure JS utilities, no kernels'},
  {file: 'version_test', reason: 'version string only'},
  {file: 'backends/*_test', reason: 'pure JS helpers of backends (complex_util, NMS util, KernelBackend stubs)'},
  {file: 'io/*_test', reason: 'model save/load over fetch, IndexedDB, localStorage, files: no kernels'},
  {file: 'platforms/*_test', reason: 'platform (fetch/TextEncoder) shims, no kernels'},
];
