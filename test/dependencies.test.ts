// Dependencies point one way only (docs/architecture.md):
//   core -> nothing; autodiff -> core; webgpu -> core; wasm -> core; models -> core, autodiff; nir -> core, models;
//   plot -> nothing; cli (the `spikeflow` command) -> any of them.
// core, autodiff, models and nir use no Node-only module, so they run unchanged in a browser and in Deno.
// Every bare import in a package's src is declared in that package's package.json.
// No package's src files import each other in a cycle (type-only imports included): a cycle makes
// behaviour depend on module load order, which bundlers are free to change.
//
// Import specifiers come from the TypeScript scanner (ts.preProcessFile), which sees static imports,
// `import type`, re-exports, side-effect imports, dynamic import(), require(), `import x = require()`,
// `typeof import()` and `/// <reference types>` directives, and ignores comments and strings.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');

interface Policy {
  /** Workspace packages this one may import. */
  spikeflow: readonly string[];
  /** Whether Node-only modules (node:*, builtins) are allowed. */
  node: boolean;
}

const POLICY: Record<string, Policy> = {
  core: { spikeflow: [], node: false },
  autodiff: { spikeflow: ['@spikeflow/core'], node: false },
  webgpu: { spikeflow: ['@spikeflow/core'], node: true },
  models: { spikeflow: ['@spikeflow/core', '@spikeflow/autodiff'], node: false },
  nir: { spikeflow: ['@spikeflow/core', '@spikeflow/models'], node: false },
  // A backend like webgpu: Node-only code (worker threads) stays in its node.ts.
  wasm: { spikeflow: ['@spikeflow/core'], node: true },
  // Plots as Vega-Lite specs, for the CLI, the examples and the benchmarks; Node-only code (PNG files) stays in its node.ts.
  plot: { spikeflow: [], node: true },
  // A Node program at the top of the graph: nothing imports it.
  cli: { spikeflow: ['@spikeflow/core', '@spikeflow/autodiff', '@spikeflow/webgpu', '@spikeflow/wasm', '@spikeflow/models', '@spikeflow/nir', '@spikeflow/plot'], node: true },
};

const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

/** The import specifiers of one source file, as the TypeScript scanner sees them. */
function importSpecifiers(text: string): { modules: string[]; typeReferences: string[] } {
  const info = ts.preProcessFile(text, /* readImportFiles */ true, /* detectJavaScriptImports */ true);
  return {
    modules: info.importedFiles.map((f) => f.fileName),
    typeReferences: info.typeReferenceDirectives.map((f) => f.fileName),
  };
}

function isNodeOnly(spec: string): boolean {
  if (spec.startsWith('node:')) return true;
  return builtinModules.includes(spec) || builtinModules.includes(spec.split('/')[0]!);
}

function isRelative(spec: string): boolean {
  return spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../');
}

/** '@scope/name/sub/path' -> '@scope/name', 'name/sub' -> 'name'. */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function listSourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (entry !== 'node_modules') out.push(...listSourceFiles(path));
    } else if (SOURCE_FILE.test(entry)) {
      out.push(path);
    }
  }
  return out;
}

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackageJson(pkg: string): PackageJson {
  return JSON.parse(readFileSync(join(packagesDir, pkg, 'package.json'), 'utf8')) as PackageJson;
}

function declaredDependencies(pj: PackageJson): Set<string> {
  return new Set([
    ...Object.keys(pj.dependencies ?? {}),
    ...Object.keys(pj.peerDependencies ?? {}),
    ...Object.keys(pj.optionalDependencies ?? {}),
  ]);
}

/** Every rule violation in one package's src, each naming the file and the offending import. */
function violations(pkg: string): string[] {
  const policy = POLICY[pkg]!;
  const pkgDir = join(packagesDir, pkg);
  const srcDir = join(pkgDir, 'src');
  const declared = declaredDependencies(readPackageJson(pkg));
  const found: string[] = [];

  for (const file of listSourceFiles(srcDir)) {
    const rel = relative(root, file).split(sep).join('/');
    const { modules, typeReferences } = importSpecifiers(readFileSync(file, 'utf8'));

    for (const spec of modules) {
      const where = `${rel} imports '${spec}'`;
      if (isRelative(spec)) {
        const target = resolve(dirname(file), spec);
        if (target !== srcDir && !target.startsWith(srcDir + sep)) {
          found.push(`${where}: a relative import that leaves packages/${pkg}/src (import the package by name instead)`);
        }
        continue;
      }
      if (spec.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(spec) || (/^[a-z][a-z0-9+.-]*:/i.test(spec) && !spec.startsWith('node:'))) {
        found.push(`${where}: an absolute path or URL import`);
        continue;
      }
      if (isNodeOnly(spec)) {
        if (!policy.node) {
          found.push(`${where}: a Node-only module; ${pkg} must run unchanged in browsers and Deno`);
        }
        continue;
      }
      const name = packageName(spec);
      if (name.startsWith('@spikeflow/') && !policy.spikeflow.includes(name)) {
        const allowed = policy.spikeflow.length
          ? `only ${policy.spikeflow.join(' and ')}`
          : 'no other @spikeflow package';
        found.push(`${where}: ${pkg} may import ${allowed} (docs/architecture.md)`);
        continue;
      }
      if (!declared.has(name)) {
        found.push(`${where}: '${name}' is not declared in packages/${pkg}/package.json dependencies`);
      }
    }

    for (const ref of typeReferences) {
      const where = `${rel} has /// <reference types="${ref}" />`;
      if (ref === 'node' || ref.startsWith('node/')) {
        if (!policy.node) found.push(`${where}: Node's types; ${pkg} must run unchanged in browsers and Deno`);
        continue;
      }
      const name = packageName(ref);
      const typesName = name.startsWith('@') ? `@types/${name.slice(1).replace('/', '__')}` : `@types/${name}`;
      if (!declared.has(name) && !declared.has(typesName)) {
        found.push(`${where}: '${name}' is not declared in packages/${pkg}/package.json dependencies`);
      }
    }
  }
  return found;
}

// --- import cycles inside a package ---------------------------------------------------------------


/** The file a relative specifier names among `files` (a `.js` specifier names its `.ts` source). */
function resolveRelative(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(from), spec));
  const stem = target.replace(/\.(m|c)?jsx?$/, '');
  const candidates = [target, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`, `${target}/index.ts`];
  return candidates.find((c) => files.has(c));
}

interface ImportCycle {
  /** Every file of the strongly connected set, sorted. */
  readonly files: readonly string[];
  /** One concrete loop through them, first file repeated at the end. */
  readonly loop: readonly string[];
}

/**
 * The import cycles among `sources` (path relative to src, posix -> file text): the strongly
 * connected sets of the graph of relative imports (Tarjan), each with one shortest loop.
 * Relative imports that name no file in `sources` are returned in `unresolved`.
 */
function importCycles(sources: ReadonlyMap<string, string>): { cycles: ImportCycle[]; unresolved: string[] } {
  const files = new Set(sources.keys());
  const edges = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const [file, text] of sources) {
    const targets = new Set<string>();
    for (const spec of importSpecifiers(text).modules.filter(isRelative)) {
      const target = resolveRelative(file, spec, files);
      if (target === undefined) unresolved.push(`${file} imports '${spec}'`);
      else targets.add(target);
    }
    edges.set(file, [...targets].sort());
  }

  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: ImportCycle[] = [];
  const connect = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const set: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      set.push(w);
    } while (w !== v);
    if (set.length > 1 || edges.get(v)!.includes(v)) cycles.push({ files: set.sort(), loop: shortestLoop(set, edges) });
  };
  for (const file of [...files].sort()) if (!index.has(file)) connect(file);
  return { cycles: cycles.sort((a, b) => a.files[0]!.localeCompare(b.files[0]!)), unresolved };
}

/** A shortest loop from the set's first file back to itself, staying inside the set (breadth-first). */
function shortestLoop(set: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(set);
  const start = set[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k]!;
    for (const w of edges.get(v)!) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  throw new Error(`internal: no loop through ${start}`);
}

/** A package's src files, by path relative to src (posix), with their text. */
function packageSources(pkg: string): Map<string, string> {
  const srcDir = join(packagesDir, pkg, 'src');
  return new Map(listSourceFiles(srcDir).map((file) => [relative(srcDir, file).split(sep).join('/'), readFileSync(file, 'utf8')]));
}

const packages = readdirSync(packagesDir)
  .filter((entry) => existsSync(join(packagesDir, entry, 'package.json')))
  .sort();

describe('the import scanner', () => {
  it('sees every form of import and ignores comments and strings', () => {
    const text = [
      '/// <reference types="node" />',
      "import a from 'a';",
      "import type { B } from 'b';",
      "import { type C } from '@s/c/sub';",
      "import 'side-effect';",
      "export * from './local.js';",
      "export { d } from 'd';",
      "export type { E } from 'e';",
      "const f = await import('f');",
      "const g = require('g');",
      "import h = require('h');",
      "type I = typeof import('i');",
      "// import x from 'in-a-comment';",
      "const s = \"import y from 'in-a-string'\";",
    ].join('\n');
    const { modules, typeReferences } = importSpecifiers(text);
    expect(modules.sort()).toEqual(['./local.js', '@s/c/sub', 'a', 'b', 'd', 'e', 'f', 'g', 'h', 'i', 'side-effect']);
    expect(typeReferences).toEqual(['node']);
  });

  it('classifies Node-only modules and package names', () => {
    expect(isNodeOnly('node:fs')).toBe(true);
    expect(isNodeOnly('node:test')).toBe(true);
    expect(isNodeOnly('fs')).toBe(true);
    expect(isNodeOnly('fs/promises')).toBe(true);
    expect(isNodeOnly('path')).toBe(true);
    expect(isNodeOnly('immer')).toBe(false);
    expect(isNodeOnly('@dagrejs/graphlib')).toBe(false);
    expect(packageName('@dagrejs/graphlib/lib/alg')).toBe('@dagrejs/graphlib');
    expect(packageName('zod/v4')).toBe('zod');
  });
});

describe('the import-cycle check', () => {
  it('finds a cycle through type-only, side-effect and re-export imports, and names its files', () => {
    const sources = new Map([
      ['index.ts', "export * from './replay.js';"],
      ['replay.ts', "import './backprop.js';\nimport { scanRule } from './rules/scan.js';"],
      ['backprop.ts', "import { rules } from './rules/index.js';"],
      ['rules/index.ts', "export { scanRule } from './scan.js';"],
      ['rules/scan.ts', "import type { Config } from '../replay.js';"],
      ['leaf.ts', "import { x } from '@spikeflow/core';"],
    ]);
    const { cycles, unresolved } = importCycles(sources);
    expect(unresolved).toEqual([]);
    expect(cycles).toEqual([
      { files: ['backprop.ts', 'replay.ts', 'rules/index.ts', 'rules/scan.ts'], loop: ['backprop.ts', 'rules/index.ts', 'rules/scan.ts', 'replay.ts', 'backprop.ts'] },
    ]);
  });

  it('finds a file importing itself and accepts an acyclic graph', () => {
    expect(importCycles(new Map([['a.ts', "import './a.js';"]])).cycles).toEqual([{ files: ['a.ts'], loop: ['a.ts', 'a.ts'] }]);
    const acyclic = new Map([
      ['a.ts', "import './b.js'; import './c/index.js';"],
      ['b.ts', "import './c';"],
      ['c/index.ts', "import type { T } from '../d.js';"],
      ['d.ts', ''],
    ]);
    expect(importCycles(acyclic)).toEqual({ cycles: [], unresolved: [] });
  });

  it('reports a relative import it cannot resolve', () => {
    expect(importCycles(new Map([['a.ts', "import './missing.js';"]])).unresolved).toEqual(["a.ts imports './missing.js'"]);
  });
});

describe('dependency direction (docs/architecture.md)', () => {
  it('knows every workspace package', () => {
    expect(packages).toEqual(Object.keys(POLICY).sort());
  });

  for (const pkg of packages) {
    const policy = POLICY[pkg];
    if (!policy) continue;

    it(`${pkg}: src imports follow the dependency rules and are all declared`, () => {
      expect(violations(pkg)).toEqual([]);
    });

    it(`${pkg}: package.json declares only allowed @spikeflow dependencies`, () => {
      const pj = readPackageJson(pkg);
      expect(pj.name).toBe(`@spikeflow/${pkg}`);
      const bad = [...declaredDependencies(pj)]
        .filter((name) => name.startsWith('@spikeflow/') && !policy.spikeflow.includes(name))
        .map((name) => `packages/${pkg}/package.json depends on ${name}`);
      expect(bad).toEqual([]);
    });

    it(`${pkg}: src files import each other without a cycle`, () => {
      const { cycles, unresolved } = importCycles(packageSources(pkg));
      expect(unresolved).toEqual([]);
      const report = cycles.map((c) => `packages/${pkg}/src: ${c.loop.join(' -> ')} (${c.files.length} files in the cycle: ${c.files.join(', ')})`);
      expect(report).toEqual([]);
    });
  }
});
