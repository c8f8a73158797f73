import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

/**
 * imgclass as someone outside this workspace gets it: the three packages packed, their tarballs
 * installed into an empty project (the backend's addon builds on install, and the MPI binding's
 * where Open MPI is installed; the rest comes from npm's registry or cache), then the installed
 * `imgclass` command runs the demo.
 */

const PACKAGE_DIR = path.join(__dirname, '..');
const BACKEND_DIR = path.join(PACKAGE_DIR, '..', 'tfjs-backend-onednn');
const MPI_DIR = path.join(PACKAGE_DIR, '..', 'mpi');
const WORKSPACE_ROOT = path.join(PACKAGE_DIR, '..', '..');

test('the packed tarballs install into an empty project and `npx imgclass demo` runs', async (t) => {
  for (const dir of [PACKAGE_DIR, BACKEND_DIR, MPI_DIR]) assertDistIsFresh(dir);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imgclass-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const [backend] = pack(BACKEND_DIR, dir);
  const [mpi] = pack(MPI_DIR, dir);
  const [imgclass, files] = pack(PACKAGE_DIR, dir);
  for (const needed of ['package.json', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'binding.gyp', 'native/jpeg_decode.cc']) {
    assert.ok(files.includes(needed), `the tarball lacks ${needed}`);
  }
  const unwanted = files.filter((p) => /^(test|test-artifacts|node_modules|\.imgclass-cache)\/|tsconfig/.test(p));
  assert.deepEqual(unwanted, [], 'tests, caches and config stay out of the tarball');

  const project = path.join(dir, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'imgclass-pack-check', private: true }));
  // Given together, the backend's and the MPI binding's tarballs satisfy imgclass's dependencies on them (they are not on the registry).
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, backend), path.join(dir, mpi), path.join(dir, imgclass)], project);

  // --no: the command must come from the installed package, never be fetched.
  const info = run('npx', ['--no', 'imgclass', 'info'], project);
  assert.match(info, /^backend\s+onednn$/m);
  // One epoch at 16×16 runs the demo's whole path (generate, train, evaluate, predict) in seconds.
  const demo = run('npx', ['--no', 'imgclass', 'demo', '--epochs', '1', '--size', '16', '--dir', 'demo'], project);
  t.diagnostic(demo.trim().split('\n').at(-2) ?? '');
  assert.match(demo, /\nAccuracy: \d+\.\d% \(\d+ of 200 pictures\)/);
  assert.match(demo, /\nDemo finished in \d+:\d\d \(\d+\.\d s\): test accuracy \d+\.\d%\./);
  assert.ok(existsSync(path.join(project, 'demo', 'run', 'model', 'model.json')), 'the demo saved its model');

  // The library entry and its types resolve from the installed package.
  const api = run(process.execPath, ['-e', "const m = require('imgclass'); console.log(typeof m.train, typeof m.loadClassifier, m.IMGCLASS_VERSION)"], project);
  assert.equal(api.trim(), 'function function 0.1.0');
  const pkgDir = path.join(project, 'node_modules', 'imgclass');
  assert.ok(existsSync(path.join(pkgDir, 'dist', 'index.d.ts')));
});

/** Packs the built package into `into`; returns the tarball's name and the paths it holds. */
function pack(packageDir: string, into: string): [string, string[]] {
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', into], packageDir);
  const [{ filename, files }] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  return [filename, files.map((f) => f.path)];
}

/** The tarballs are made from dist/ as built: refuse to pack one older than the sources. */
function assertDistIsFresh(packageDir: string): void {
  const newest = (dir: string): number =>
    Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
  const built = statSync(path.join(packageDir, 'dist', 'index.js')).mtimeMs;
  assert.ok(built >= newest(path.join(packageDir, 'src')), `${packageDir}/dist is older than its src/: run \`npm run build\` first`);
}

/**
 * The environment without what `npm test` adds: npm's per-run variables (npm_config_local_prefix
 * would point a nested npm at this workspace) and the workspace's node_modules/.bin.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|nodedir|cafile|userconfig|globalconfig|proxy|https_proxy|noproxy)$/;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)));
  delete env.INIT_CWD;
  env.PATH = (env.PATH ?? '').split(path.delimiter).filter((p) => !(p + path.sep).startsWith(WORKSPACE_ROOT + path.sep)).join(path.delimiter);
  // node-gyp compiles the addon's files in parallel.
  env.JOBS = String(os.availableParallelism());
  return env;
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, env: cleanEnv(), stdio: 'pipe' }).toString();
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${err.message}\n${err.stdout}\n${err.stderr}`);
  }
}
