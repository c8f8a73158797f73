// The first module of the suite bundle: boots jasmine-core with its globals (describe, it,
// expect, ...) before any tfjs-core test file is evaluated, filters out the excluded specs,
// records which test file declared each spec, and reports the results.
//
// Runtime options come from the environment (set by run.ts / the node:test wrapper):
//   TFJS_CORE_SUITE_FILTER   only run specs whose full name contains this substring
//   TFJS_CORE_SUITE_JSON     write the JSON summary to this path
//   TFJS_CORE_SUITE_VERBOSE  '1': print every spec, not only the failures
//   TFJS_CORE_SUITE_RUN_EXCLUDED  '1': run the excluded specs too (to check they still fail)
import * as fs from 'fs';
import {BF16_SPEC_EXCLUDES, SPEC_EXCLUDES as F32_SPEC_EXCLUDES} from './exclude';

const SPEC_EXCLUDES = process.env.TFJS_CORE_SUITE_BF16 === '1' ? [...F32_SPEC_EXCLUDES, ...BF16_SPEC_EXCLUDES] : F32_SPEC_EXCLUDES;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const jasmineCore = require('jasmine-core');

/* eslint-disable @typescript-eslint/no-explicit-any */
const g = globalThis as any;
const jasmine = jasmineCore.boot(jasmineCore);  // installs describe/it/expect/... on globalThis
jasmine.DEFAULT_TIMEOUT_INTERVAL = 60000;        // a shared 2-core machine can be slow
const env = jasmine.getEnv();

const filter = process.env.TFJS_CORE_SUITE_FILTER || '';
const jsonPath = process.env.TFJS_CORE_SUITE_JSON || '';
const verbose = process.env.TFJS_CORE_SUITE_VERBOSE === '1';
const runExcluded = process.env.TFJS_CORE_SUITE_RUN_EXCLUDED === '1';

// --- spec -> test file, so the report can say where a spec lives -----------------------------
let currentFile = '(harness self-check)';
const filesBundled: string[] = [];
export function setCurrentFile(file: string): void {
  currentFile = file;
  filesBundled.push(file);
}
const fileOfSpec = new Map<string, string>();
const filesSeen = new Set<string>();
for (const fnName of ['it', 'fit', 'xit']) {
  const original = g[fnName];
  g[fnName] = function(...args: unknown[]) {
    const spec = original.apply(this, args);
    fileOfSpec.set(spec.id, currentFile);
    filesSeen.add(currentFile);
    return spec;
  };
}

// --- exclusions ------------------------------------------------------------------------------
const exclusionHits = new Map<string, number>(SPEC_EXCLUDES.map(e => [e.spec, 0]));
const excludedReason = new Map<string, string>();  // full name -> reason
env.configure({
  random: false,
  failSpecWithNoExpectations: false,
  specFilter: (spec: any) => {
    const name: string = spec.getFullName();
    if (filter && !name.includes(filter)) return false;
    if (runExcluded) return true;
    for (const e of SPEC_EXCLUDES) {
      if (name.includes(e.spec)) {
        exclusionHits.set(e.spec, exclusionHits.get(e.spec)! + 1);
        excludedReason.set(name, e.reason);
        return false;
      }
    }
    return true;
  },
});

// --- reporter --------------------------------------------------------------------------------
interface Failure {
  name: string;
  file: string;
  messages: string[];
}
interface FileCounts {
  passed: number;
  failed: number;
  excluded: number;
  pending: number;
}
export interface SuiteSummary {
  backend: string;
  nativeKernels: string[];
  /** Every test file in the bundle. */
  filesBundled: string[];
  /** The test files that declared specs for this environment (others only target webgl/browsers). */
  files: string[];
  passed: number;
  failed: number;
  excluded: number;
  filteredOut: number;
  pending: number;
  perFile: Record<string, FileCounts>;
  failures: Failure[];
  excludedSpecs: {name: string, reason: string}[];
  unusedExclusions: string[];
  globalErrors: string[];
  /** Calls into the native addon per entry point during the run. */
  nativeCalls: Record<string, number>;
  durationMs: number;
  overallStatus: string;
}

const summary: SuiteSummary = {
  backend: 'onednn', nativeKernels: [], filesBundled, files: [], passed: 0, failed: 0, excluded: 0, filteredOut: 0,
  pending: 0, perFile: {}, failures: [], excludedSpecs: [], unusedExclusions: [], globalErrors: [],
  nativeCalls: {}, durationMs: 0, overallStatus: 'incomplete',
};
export function setNativeKernels(names: string[]): void {
  summary.nativeKernels = names;
}
let nativeCallCounts: Record<string, number> = {};
/** The live per-function call counts of the addon (filled by setup.ts). */
export function setNativeCallCounts(counts: Record<string, number>): void {
  nativeCallCounts = counts;
}

function firstLines(text: string | undefined, n: number, maxLine = 400): string {
  return (text || '').split('\n').slice(0, n)
      .map(l => l.length > maxLine ? l.slice(0, maxLine) + ` ...(${l.length - maxLine} more chars)` : l).join('\n');
}
function messagesOf(expectations: any[]): string[] {
  return expectations.map(e => {
    const where = firstLines(e.stack, 4).split('\n').filter((l: string) => /^\s+at /.test(l))
        .slice(0, 2).join('\n');
    return `${firstLines(e.message, 6)}${where ? '\n' + where : ''}`;
  });
}

const start = Date.now();
let progress = 0;
env.addReporter({
  specDone(result: any) {
    const file = fileOfSpec.get(result.id) || '(unknown)';
    const counts = summary.perFile[file] ??= {passed: 0, failed: 0, excluded: 0, pending: 0};
    switch (result.status) {
      case 'passed':
        summary.passed++; counts.passed++;
        break;
      case 'failed': {
        summary.failed++; counts.failed++;
        const failure = {name: result.fullName, file, messages: messagesOf(result.failedExpectations)};
        summary.failures.push(failure);
        process.stdout.write(`\nFAIL [${file}] ${failure.name}\n  ${failure.messages.join('\n  ')}\n`);
        break;
      }
      case 'excluded': {
        const reason = excludedReason.get(result.fullName);
        if (reason === undefined) {
          summary.filteredOut++;  // not matching TFJS_CORE_SUITE_FILTER
        } else {
          summary.excluded++; counts.excluded++;
          summary.excludedSpecs.push({name: result.fullName, reason});
        }
        break;
      }
      default:  // 'pending': xit() / pending() in tfjs-core itself
        summary.pending++; counts.pending++;
    }
    if (verbose) {
      process.stdout.write(`${result.status.padEnd(8)} [${file}] ${result.fullName}\n`);
    } else if (result.status === 'passed' && ++progress % 500 === 0) {
      process.stdout.write(`  ... ${progress} specs passed (${((Date.now() - start) / 1000).toFixed(0)} s)\n`);
    }
  },
  suiteDone(result: any) {
    // Errors in beforeAll/afterAll (e.g. the backend failed to initialise) land here.
    if (result.failedExpectations?.length) {
      for (const m of messagesOf(result.failedExpectations)) {
        summary.globalErrors.push(`suite "${result.fullName}": ${m}`);
        process.stdout.write(`\nSUITE ERROR ${result.fullName}\n  ${m}\n`);
      }
    }
  },
  jasmineDone(result: any) {
    for (const m of messagesOf(result.failedExpectations || [])) {
      summary.globalErrors.push(m);
      process.stdout.write(`\nGLOBAL ERROR\n  ${m}\n`);
    }
    summary.durationMs = Date.now() - start;
    summary.files = [...filesSeen].filter(f => !f.startsWith('(')).sort();
    // With a --grep filter most exclusions cannot match; only a full run can call them stale.
    summary.unusedExclusions = filter || runExcluded ? [] : [...exclusionHits].filter(([, n]) => n === 0).map(([s]) => s);
    summary.overallStatus = result.overallStatus;
    summary.nativeCalls = {...nativeCallCounts};
    printReport();
    if (jsonPath) fs.writeFileSync(jsonPath, JSON.stringify(summary, null, 2));
    process.exitCode = summary.failed === 0 && summary.globalErrors.length === 0 ? 0 : 1;
  },
});

function printReport(): void {
  const out: string[] = [''];
  out.push(`tfjs-core ${'4.22'} kernel test suite on backend '${summary.backend}'`);
  out.push(`  native kernels (${summary.nativeKernels.length}): ${summary.nativeKernels.join(', ') ||
      (process.env.TFJS_CORE_SUITE_CPU_KERNELS === '1' ? '(none: --cpu-kernels)' : '(none)')}`);
  const calls = Object.entries(summary.nativeCalls);
  const total = calls.reduce((a, [, n]) => a + n, 0);
  const unused = calls.filter(([, n]) => n === 0).map(([k]) => k);
  out.push(`  native addon calls: ${total} into ${calls.length - unused.length} of ${calls.length} entry points` +
      (unused.length ? ` (never called: ${unused.join(', ')})` : ''));
  const failedFiles = Object.entries(summary.perFile).filter(([, c]) => c.failed > 0);
  if (failedFiles.length) {
    out.push('  files with failures:');
    for (const [file, c] of failedFiles) out.push(`    ${file}: ${c.failed} failed, ${c.passed} passed`);
  }
  if (summary.unusedExclusions.length) {
    out.push(`  exclusions that matched no spec (stale?): ${summary.unusedExclusions.map(s => JSON.stringify(s)).join(', ')}`);
  }
  out.push(`  test files: ${summary.filesBundled.length} bundled, ${summary.files.length} with specs for onednn`);
  out.push(`  specs: ${summary.passed + summary.failed} run: ${summary.passed} passed, ${summary.failed} failed; ` +
      `${summary.excluded} excluded (exclude.ts); ${summary.pending} pending (xit in tfjs-core)` +
      (filter ? `; ${summary.filteredOut} filtered out by "${filter}"` : '') +
      `   ${(summary.durationMs / 1000).toFixed(1)} s`);
  if (summary.globalErrors.length) out.push(`  global errors: ${summary.globalErrors.length}`);
  process.stdout.write(out.join('\n') + '\n');
}

export function execute(): void {
  env.execute();
}
