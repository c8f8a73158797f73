// The package as someone outside this workspace gets it: `npm pack`, then an empty project that
// installs the tarball next to stock @tensorflow/tfjs (the addon builds on install), compiles a
// TypeScript program against the package's types and trains a small tf.layers CNN on 'onednn'.
// Slow by nature (the addon compiles, ~35 s of CPU): npm's cache and parallel make keep it short.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PACKAGE_DIR = path.join(__dirname, '..');
const WORKSPACE_ROOT = path.join(PACKAGE_DIR, '..', '..');

test('the packed tarball installs next to stock @tensorflow/tfjs, type-checks and trains a CNN on onednn', async (t) => {
  assertDistIsFresh();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onednn-pack-'));
  t.after(() => fs.rmSync(dir, {recursive: true, force: true}));

  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], PACKAGE_DIR);
  const [{filename, files}] = JSON.parse(packed) as {filename: string, files: {path: string}[]}[];
  const paths = files.map(f => f.path);
  for (const needed of ['package.json', 'README.md', 'binding.gyp', 'native/addon.cc', 'native/common.h', 'dist/index.js',
                        'dist/index.d.ts']) {
    assert.ok(paths.includes(needed), `the tarball lacks ${needed}`);
  }
  const unwanted = paths.filter(p => /^(build|test|node_modules)\/|\.node$|tsconfig/.test(p));
  assert.deepEqual(unwanted, [], 'build output, tests and config stay out of the tarball');

  const project = path.join(dir, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({name: 'onednn-pack-check', private: true}));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, filename), '@tensorflow/tfjs@4.22.0'],
      project);
  const installed = path.join(project, 'node_modules', '@imgclass', 'tfjs-backend-onednn');
  assert.ok(fs.existsSync(path.join(installed, 'build', 'Release', 'tfjs_onednn.node')), 'the addon was built on install');

  fs.writeFileSync(path.join(project, 'train.ts'), TRAIN_PROGRAM);
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '--strict', '--skipLibCheck', '--target', 'ES2022', '--module', 'commonjs',
                                   '--moduleResolution', 'node', 'train.ts'],
               {cwd: project, stdio: 'pipe'});
  const result = JSON.parse(execFileSync(process.execPath, ['train.js'], {cwd: project, env: cleanEnv()}).toString());
  t.diagnostic(JSON.stringify(result));
  // 'onednn' only if the package registered on the same tfjs-core instance as stock tfjs.
  assert.equal(result.backend, 'onednn');
  assert.match(result.onednnVersion, /^\d+\.\d+\.\d+$/);
  assert.ok(result.primitives.length > 0, 'native oneDNN primitives ran');
  assert.ok(result.losses.every(Number.isFinite), `finite losses: ${result.losses}`);
  assert.ok(result.losses.at(-1) < result.losses[0], `the loss falls: ${result.losses}`);
});

// Uses nothing but stock tfjs and the package; compiled with tsc against the package's `types`.
const TRAIN_PROGRAM = `
import * as tf from '@tensorflow/tfjs';
import {info, primitiveImplementations} from '@imgclass/tfjs-backend-onednn';

async function main(): Promise<void> {
  await tf.ready();
  const model = tf.sequential({layers: [
    tf.layers.conv2d({inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu'}),
    tf.layers.maxPooling2d({poolSize: 2}),
    tf.layers.conv2d({filters: 8, kernelSize: 3, activation: 'relu'}),
    tf.layers.flatten(),
    tf.layers.dense({units: 2, activation: 'softmax'}),
  ]});
  model.compile({optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy'});
  // Bright pictures are class 1, dark ones class 0: learnable in a few steps.
  const xs = tf.tidy(() => tf.randomUniform([64, 16, 16, 3], 0, 1, 'float32', 1).add(
      tf.tensor1d(Array.from({length: 64}, (_, i) => i % 2 ? 0.5 : -0.5)).reshape([64, 1, 1, 1])));
  const ys = tf.oneHot(tf.tensor1d(Array.from({length: 64}, (_, i) => i % 2), 'int32'), 2);
  const history = await model.fit(xs, ys, {epochs: 8, batchSize: 16, shuffle: false, verbose: 0});
  console.log(JSON.stringify({
    backend: tf.getBackend(),
    onednnVersion: info().onednnVersion,
    primitives: primitiveImplementations(),
    losses: history.history.loss,
  }));
}
main();
`;

/** The tarball is made from dist/ as built: refuse to pack one older than the sources. */
function assertDistIsFresh(): void {
  const newest = (dir: string): number => Math.max(...fs.readdirSync(dir, {withFileTypes: true}).map(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs;
  }));
  const built = fs.statSync(path.join(PACKAGE_DIR, 'dist', 'index.js')).mtimeMs;
  assert.ok(built >= newest(path.join(PACKAGE_DIR, 'src')), 'dist/ is older than src/: run `npm run build` first');
}

/**
 * The environment without what `npm test` adds: npm's per-run variables (npm_config_local_prefix
 * would point a nested npm at this workspace) and the workspace's node_modules/.bin.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|nodedir|cafile|userconfig|globalconfig|proxy|https_proxy|noproxy)$/;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)));
  delete env.INIT_CWD;
  env.PATH = (env.PATH ?? '').split(path.delimiter).filter(p => !(p + path.sep).startsWith(WORKSPACE_ROOT + path.sep)).join(path.delimiter);
  // node-gyp compiles the addon's files in parallel.
  env.JOBS = String(os.availableParallelism());
  return env;
}

function npm(args: string[], cwd: string): string {
  try {
    return execFileSync('npm', args, {cwd, env: cleanEnv(), stdio: 'pipe'}).toString();
  } catch (e) {
    const err = e as {stdout?: Buffer, stderr?: Buffer, message: string};
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}: ${err.message}\n${err.stdout}\n${err.stderr}`);
  }
}
