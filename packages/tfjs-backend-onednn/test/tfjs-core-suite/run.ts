// Runs the tfjs-core kernel test suite against the 'onednn' backend: bundles it (bundle.ts),
// runs the bundle in a child `node` process, prints a readable report, exits non-zero on failure.
//
//   npm run test:tfjs-core -w @imgclass/tfjs-backend-onednn [-- options]
//   node --import tsx test/tfjs-core-suite/run.ts [options]      (from packages/tfjs-backend-onednn)
//
// Options:
//   --grep TEXT        only specs whose full name contains TEXT (e.g. "conv2d onednn")
//   --files TEXT       only test files whose path contains TEXT (e.g. "ops/conv2d_test")
//   --verbose          print every spec with its status
//   --json PATH        also write the JSON summary to PATH
//   --addon-root DIR   load DIR/build/Release/tfjs_onednn.node instead of this package's addon
//                      (default: $TFJS_CORE_SUITE_ADDON_ROOT, else this package)
//   --cpu-kernels      swap every native kernel back to the CPU backend's (baseline without native code)
//   --bf16             run in mixed-precision mode (setPrecision('bfloat16')) with tfjs's 16-bit tolerances
//   --run-excluded     also run the specs listed in exclude.ts (to check they still fail)
//   --keep-bundle      keep the bundle in test-artifacts/tfjs-core-suite/ (for debugging)
import {spawn} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {buildSuiteBundle, PACKAGE_ROOT} from './bundle';
import type {SuiteSummary} from './harness';

export interface RunOptions {
  grep?: string;
  files?: string;
  verbose?: boolean;
  runExcluded?: boolean;
  cpuKernels?: boolean;
  /** Mixed-precision mode; the backend reports floatPrecision() 16, so specs use tfjs's 16-bit tolerances. */
  bf16?: boolean;
  /** Default: $TFJS_CORE_SUITE_ADDON_ROOT, else this package. */
  addonRoot?: string;
  keepBundle?: boolean;
  /** Where the child's report goes; default: inherit (the terminal). */
  stdout?: 'inherit' | 'pipe';
}

export interface RunResult {
  /** null when the child died before writing its summary (e.g. a native crash). */
  summary: SuiteSummary | null;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The child's stdout when options.stdout is 'pipe', and its stderr (last 20 kB). */
  stdout: string;
  stderrTail: string;
  bundleMs: number;
}

export async function runSuite(options: RunOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  const bundle = await buildSuiteBundle({
    addonRoot: options.addonRoot ?? (process.env.TFJS_CORE_SUITE_ADDON_ROOT || undefined),
    fileFilter: options.files,
  });
  const bundleMs = Date.now() - t0;
  const jsonPath = path.join(os.tmpdir(), `tfjs-core-suite-${process.pid}-${Date.now()}.json`);
  const env = {
    ...process.env,
    TFJS_CORE_SUITE_JSON: jsonPath,
    TFJS_CORE_SUITE_FILTER: options.grep ?? '',
    TFJS_CORE_SUITE_VERBOSE: options.verbose ? '1' : '',
    TFJS_CORE_SUITE_RUN_EXCLUDED: options.runExcluded ? '1' : '',
    TFJS_CORE_SUITE_CPU_KERNELS: options.cpuKernels ? '1' : '',
    TFJS_CORE_SUITE_BF16: options.bf16 ? '1' : '',
  };
  try {
    const child = spawn(process.execPath, [bundle.outfile], {
      cwd: PACKAGE_ROOT, env, stdio: ['ignore', options.stdout ?? 'inherit', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', d => stdout += d);
    child.stderr?.on('data', d => {
      if (options.stdout !== 'pipe') process.stderr.write(d);
      stderr = (stderr + d).slice(-20000);
    });
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
        (resolve, reject) => {
          child.on('error', reject);
          child.on('close', (code, sig) => resolve([code, sig]));
        });
    const summary = fs.existsSync(jsonPath) ? JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as SuiteSummary : null;
    return {summary, exitCode, signal, stdout, stderrTail: stderr, bundleMs};
  } finally {
    fs.rmSync(jsonPath, {force: true});
    if (!options.keepBundle) fs.rmSync(bundle.outfile, {force: true});
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options: RunOptions = {};
  let jsonOut: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const value = () => {
      if (i + 1 >= args.length) throw new Error(`${args[i]} needs a value`);
      return args[++i];
    };
    switch (args[i]) {
      case '--grep': options.grep = value(); break;
      case '--files': options.files = value(); break;
      case '--verbose': options.verbose = true; break;
      case '--run-excluded': options.runExcluded = true; break;
      case '--cpu-kernels': options.cpuKernels = true; break;
      case '--bf16': options.bf16 = true; break;
      case '--addon-root': options.addonRoot = value(); break;
      case '--keep-bundle': options.keepBundle = true; break;
      case '--json': jsonOut = value(); break;
      default: throw new Error(`unknown option ${args[i]} (see the header of ${__filename})`);
    }
  }
  const result = await runSuite(options);
  if (result.summary === null) {
    console.error(`\nThe suite process ended without a summary (exit code ${result.exitCode}, signal ${result.signal}).` +
        ' A native crash or a failure while loading the bundle; its stderr is above.');
    process.exitCode = 1;
    return;
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(result.summary, null, 2));
  console.log(`  (bundling took ${(result.bundleMs / 1000).toFixed(1)} s)`);
  process.exitCode = result.exitCode === 0 && result.summary.failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main().catch(e => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
