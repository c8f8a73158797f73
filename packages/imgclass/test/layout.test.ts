import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/**
 * The application's top-level folders under src/ (data, models, train, …) form
 * layers: each imports the others in one direction only. This test computes
 * the folder-level import graph from the sources and fails on any cycle
 * between folders, naming the imports that close it.
 */

const SRC = path.join(__dirname, '..', 'src');

/** A top-level folder of src/, or for a file directly in src/ the file itself ('errors.ts'). */
function unitOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Resolves a relative specifier the way the compiler does here (CommonJS, extensionless). */
function resolveImport(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  const found = [base + '.ts', path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')].find((f) => existsSync(f));
  assert.ok(found, `${path.relative(SRC, from)} imports '${specifier}', which resolves to no source file`);
  return found;
}

interface ImportGraph {
  /** unit -> units it imports */
  edges: Map<string, Set<string>>;
  /** 'a -> b' -> the file-level imports behind that edge */
  evidence: Map<string, string[]>;
}

function importGraph(): ImportGraph {
  const edges = new Map<string, Set<string>>();
  const evidence = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    // The compiler's own scanner: import/export … from, import type, import('…') in types, require(…).
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveImport(file, fileName);
      const [from, to] = [unitOf(file), unitOf(target)];
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
      const key = `${from} -> ${to}`;
      evidence.set(key, [...(evidence.get(key) ?? []), `${path.relative(SRC, file)} imports ${path.relative(SRC, target)}`]);
    }
  }
  return { edges, evidence };
}

/** Strongly connected components with more than one unit (Tarjan): each is a cycle between folders. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('no two top-level folders of src/ import each other, directly or around a circle', () => {
  const { edges, evidence } = importGraph();
  const report = cycles(edges).map((component) => {
    const inside = [...evidence].filter(([key]) => {
      const [from, to] = key.split(' -> ');
      return component.includes(from) && component.includes(to);
    });
    return `cycle between ${component.join(', ')}:\n` + inside.map(([key, files]) => `  ${key}: ${files.slice(0, 3).join('; ')}${files.length > 3 ? `; and ${files.length - 3} more` : ''}`).join('\n');
  });
  assert.deepEqual(report, [], '\n' + report.join('\n'));
});

test('the cycle finder sees two-way and longer circles, and nothing in a chain', () => {
  const graph = (pairs: string[]) => {
    const edges = new Map<string, Set<string>>();
    for (const pair of pairs) {
      const [a, b] = pair.split('>');
      edges.set(a, (edges.get(a) ?? new Set()).add(b));
    }
    return edges;
  };
  assert.deepEqual(cycles(graph(['a>b', 'b>a', 'b>c'])), [['a', 'b']]);
  assert.deepEqual(cycles(graph(['a>b', 'b>c', 'c>a', 'c>d'])), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(graph(['a>b', 'b>c', 'a>c'])), []);
});

test('the layers the application relies on', () => {
  const { edges } = importGraph();
  const imports = (from: string, to: string) => edges.get(from)?.has(to) ?? false;
  // The graph is really read: these imports exist.
  for (const user of ['train', 'predict', 'evaluate', 'export', 'web']) {
    assert.ok(imports(user, 'trained-network'), `${user} opens networks through trained-network`);
  }
  assert.ok(imports('data', 'math') && imports('models', 'math'), 'data and models share the seeded RNG in math/');
  // A trained network on disk sits below the stages that use it.
  for (const above of ['train', 'predict', 'evaluate', 'export', 'web', 'report', 'cli', 'demo']) {
    assert.ok(!imports('trained-network', above), `trained-network must not import ${above}`);
  }
  assert.ok(!imports('models', 'data'), 'models must not depend on the data stage');
  for (const low of ['math', 'io']) {
    for (const to of edges.get(low) ?? []) assert.ok(to.endsWith('.ts') || to === 'math', `${low} imports ${to}, but sits below every folder but math`);
  }
});
