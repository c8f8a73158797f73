// The kernel test suite shipped in @tensorflow/tfjs-core 4.22, run against the 'onednn' backend
// (see test/tfjs-core-suite/). Bundles it, runs it in a child process, and asserts that no spec
// fails and that the suite really ran (spec count above a floor, the required files present).
// For a readable report of the same run: `npm run test:tfjs-core`.
import {test, TestContext} from 'node:test';
import {supportsBfloat16} from '../src/index';
import * as assert from 'node:assert/strict';
import {runSuite} from './tfjs-core-suite/run';
import {BF16_SPEC_EXCLUDES, SPEC_EXCLUDES} from './tfjs-core-suite/exclude';

/** 4,225 specs run (tfjs-core 4.22, all 254 test files); far fewer means files went missing. */
const MIN_SPECS = 4000;

/** Test files (under tfjs-core/dist) that must be part of the run: the kernels we replace. */
const REQUIRED_FILES = [
  'gradients_test',
  'ops/conv2d_test', 'ops/conv2d_transpose_test', 'ops/depthwise_conv2d_test',
  'ops/avg_pool_test', 'ops/max_pool_test', 'ops/pool_test', 'ops/mat_mul_test',
  'ops/fused/fused_conv2d_test', 'ops/fused/fused_depthwise_conv2d_test', 'ops/fused/fused_mat_mul_test',
  'ops/local_response_normalization_test', 'ops/batchnorm_test', 'ops/softmax_test',
  'ops/relu_test', 'ops/relu6_test', 'ops/elu_test', 'ops/leaky_relu_test', 'ops/sigmoid_test', 'ops/tanh_test',
  'ops/arithmetic_test', 'ops/binary_ops_test', 'ops/add_test', 'ops/sub_test', 'ops/square_test',
  'ops/sqrt_test', 'ops/neg_test', 'ops/exp_test', 'ops/log_test', 'ops/abs_test', 'ops/step_test',
  'ops/clip_by_value_test', 'ops/sum_test', 'ops/mean_test', 'ops/max_test', 'ops/min_test',
];

async function suitePasses(t: TestContext, bf16: boolean) {
  const result = await runSuite({stdout: 'pipe', bf16});
  const s = result.summary;
  if (s === null) {
    assert.fail(`the suite process ended without a summary (exit code ${result.exitCode}, signal ` +
        `${result.signal}): a native crash or a load failure.\n${result.stdout.slice(-4000)}\n${result.stderrTail}`);
  }
  t.diagnostic(`native kernels: ${s.nativeKernels.join(', ') || '(none)'}`);
  t.diagnostic(`test files: ${s.files.length}, specs passed: ${s.passed}, failed: ${s.failed}, ` +
      `excluded: ${s.excluded} (${SPEC_EXCLUDES.length + (bf16 ? BF16_SPEC_EXCLUDES.length : 0)} exclusion rules), pending in tfjs-core: ${s.pending}, ` +
      `${(s.durationMs / 1000).toFixed(1)} s`);
  const nativeCalls = Object.values(s.nativeCalls).reduce((a, n) => a + n, 0);
  t.diagnostic(`native addon calls: ${nativeCalls}`);
  // One line per failing spec; `npm run test:tfjs-core -- --grep NAME` shows the details.
  const failures = s.failures.map(f => `  [${f.file}] ${f.name}: ${(f.messages[0] ?? '').split('\n')[0]}`);
  assert.equal(s.failed, 0, `${s.failed} tfjs-core specs failed on onednn:\n${failures.join('\n')}`);
  assert.deepEqual(s.globalErrors, [], 'errors outside specs (beforeAll/afterAll, load)');
  assert.equal(s.overallStatus, 'passed');
  assert.ok(s.passed >= MIN_SPECS, `only ${s.passed} specs ran; expected at least ${MIN_SPECS}`);
  const missing = REQUIRED_FILES.filter(f => !s.files.includes(f));
  assert.deepEqual(missing, [], 'required tfjs-core test files that declared no spec');
  if (s.nativeKernels.length > 0) assert.ok(nativeCalls > 0, 'native kernels are registered but the addon was never called');
  assert.deepEqual(s.unusedExclusions, [], 'exclusion rules that match no spec any more: remove them');
}

test('tfjs-core 4.22 kernel test suite passes on the onednn backend', {timeout: 10 * 60 * 1000},
     t => suitePasses(t, false));

test('the same suite passes in mixed-precision (bf16) mode with tfjs\'s 16-bit tolerances',
     {timeout: 10 * 60 * 1000, skip: supportsBfloat16() ? false : 'this CPU has no bf16 instructions'},
     t => suitePasses(t, true));
