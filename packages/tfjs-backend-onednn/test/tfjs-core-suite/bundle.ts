// Bundles the chosen tfjs-core `*_test.js` files with the backend's TypeScript source,
// @tensorflow/tfjs-backend-cpu and jasmine-core into one CommonJS file that `node` runs.
//
// Why a bundle: the test files are ES modules with extension-less relative imports that import
// tfjs-core's ES build (dist/index.js). The backend must register on that same module instance,
// so '@tensorflow/tfjs-core' is resolved through the "module" field (mainFields module, main) and
// everything is bundled together: one tfjs-core, one engine, one kernel registry.
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import {FILE_EXCLUDES, INCLUDE_PATTERNS} from './include';

export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const SUITE_DIR = __dirname;
const CORE_DIST = path.dirname(require.resolve('@tensorflow/tfjs-core/dist/index.js', {paths: [PACKAGE_ROOT]}));
/** Where bundles go: gitignored (`test-artifacts/`), and not build/, which node-gyp rebuild wipes. */
export const ARTIFACTS_DIR = path.join(PACKAGE_ROOT, 'test-artifacts', 'tfjs-core-suite');

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '(?:.*/)?');
  return new RegExp(`^${escaped}$`);
}

function allCoreTestFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'miniprogram') walk(full);  // miniprogram/ is a copy for WeChat
      } else if (entry.name.endsWith('_test.js')) {
        files.push(path.relative(CORE_DIST, full).split(path.sep).join('/').replace(/\.js$/, ''));
      }
    }
  };
  walk(CORE_DIST);
  return files.sort();
}

/** The test files (relative to tfjs-core/dist, no extension) the suite runs. */
export function selectedTestFiles(): string[] {
  const include = INCLUDE_PATTERNS.map(patternToRegExp);
  const exclude = FILE_EXCLUDES.map(e => patternToRegExp(e.file));
  return allCoreTestFiles().filter(f => include.some(r => r.test(f)) && !exclude.some(r => r.test(f)));
}

export interface BundleOptions {
  /** Output file; default: a per-process file in ARTIFACTS_DIR. */
  outfile?: string;
  /**
   * Package root whose build/Release/tfjs_onednn.node is loaded (default: this package).
   * src/native.ts finds the addon relative to `__dirname`, which a bundle would change;
   * the bundler substitutes the real directory, so the addon stays external and is
   * `require`d from its real path at run time.
   */
  addonRoot?: string;
  /** Restrict to test files whose path contains this substring (debugging). */
  fileFilter?: string;
}

export interface BundleResult {
  outfile: string;
  files: string[];
}

export async function buildSuiteBundle(options: BundleOptions = {}): Promise<BundleResult> {
  const files = selectedTestFiles().filter(f => !options.fileFilter || f.includes(options.fileFilter));
  if (files.length === 0) throw new Error(`no tfjs-core test file selected (filter: ${options.fileFilter})`);
  const outfile = options.outfile ?? path.join(ARTIFACTS_DIR, `suite-${process.pid}.js`);
  fs.mkdirSync(path.dirname(outfile), {recursive: true});
  const addonRoot = path.resolve(options.addonRoot ?? PACKAGE_ROOT);
  const srcDir = path.join(PACKAGE_ROOT, 'src') + path.sep;

  // harness (jasmine globals) -> setup (backend, gradients, test env) -> each test file, each
  // preceded by a marker that tells the harness which file declares the following specs.
  // ES import order is evaluation order, and esbuild keeps it.
  const entry = [
    `import {execute} from './harness';`,
    `import './setup';`,
    ...files.flatMap(f => [
      `import 'suite-marker:${f}';`,
      `import ${JSON.stringify(path.join(CORE_DIST, f + '.js'))};`,
    ]),
    `execute();`,
  ].join('\n');

  const plugin: esbuild.Plugin = {
    name: 'tfjs-core-suite',
    setup(build) {
      build.onResolve({filter: /^suite-marker:/}, args => ({path: args.path.slice('suite-marker:'.length), namespace: 'suite-marker'}));
      build.onLoad({filter: /.*/, namespace: 'suite-marker'}, args => ({
        contents: `import {setCurrentFile} from './harness'; setCurrentFile(${JSON.stringify(args.path)});`,
        resolveDir: SUITE_DIR,
        loader: 'ts',
      }));
      // The backend's own sources: give `__dirname` its real (or --addon-root) value.
      build.onLoad({filter: /\.ts$/}, async args => {
        if (!args.path.startsWith(srcDir)) return undefined;
        const source = await fs.promises.readFile(args.path, 'utf8');
        const dir = path.join(addonRoot, path.relative(PACKAGE_ROOT, path.dirname(args.path)));
        return {contents: source.replace(/\b__dirname\b/g, JSON.stringify(dir)), loader: 'ts'};
      });
    },
  };

  const result = await esbuild.build({
    stdin: {contents: entry, resolveDir: SUITE_DIR, sourcefile: 'tfjs-core-suite-entry.ts', loader: 'ts'},
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    // tfjs-core's package.json lists its side-effect files; the *_test.js files are not among
    // them, so without this esbuild would drop `import './ops/abs_test'` as unused.
    ignoreAnnotations: true,
    // node-fetch: lazily required by tfjs-core's node platform for tf.io over http, unused here.
    // jasmine-core: lists its own folder at load time, so it is required from node_modules.
    external: ['node-fetch', 'jasmine-core'],
    outfile,
    logLevel: 'silent',
    plugins: [plugin],
  });
  if (result.errors.length) {
    const formatted = await esbuild.formatMessages(result.errors, {kind: 'error'});
    throw new Error(`esbuild failed:\n${formatted.join('\n')}`);
  }
  return {outfile, files};
}
