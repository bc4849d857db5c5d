// readNir under Deno, from the package's TypeScript source with h5wasm's own ESM build out of the
// workspace's node_modules (no bundler): a short script reads one shared file and prints what it got.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { denoExecutable } from '../../webgpu/test/runtimes/deno.js';
import { readNir } from '../src/index.js';
import { readSharedNir, sharedNirPath } from './shared-files.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const FILE = 'braille_noDelay_bias_zero.nir';

describe('readNir in Deno', () => {
  it(`reads ${FILE} to the same node types, shapes and values as in Node`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-nir-deno-'));
    try {
      // The source imports '@spikeflow/core' and '@spikeflow/models' (mapped to their sources) and writes '.js' for its
      // own '.ts' files (--sloppy-imports); bare npm imports (h5wasm, immer, zod) resolve from
      // node_modules beside each package.json (--node-modules-dir=manual).
      const importMap = join(dir, 'import-map.json');
      // Every workspace package nir reaches maps to its source, so no build is needed first.
      const source = (pkg: string) => pathToFileURL(join(repoRoot, `packages/${pkg}/src/index.ts`)).href;
      const imports = Object.fromEntries(['core', 'autodiff', 'models'].map((pkg) => [`@spikeflow/${pkg}`, source(pkg)]));
      writeFileSync(importMap, JSON.stringify({ imports }));
      const script = join(dir, 'read.ts');
      writeFileSync(
        script,
        [
          `import { readNir } from '${pathToFileURL(join(repoRoot, 'packages/nir/src/index.ts')).href}';`,
          'const doc = await readNir(await Deno.readFile(Deno.args[0]), "shared file");',
          'const lif = doc.graph.nodes.get("lif1.lif");',
          'if (lif?.type !== "CubaLIF") throw new Error("no CubaLIF lif1.lif");',
          'const summary = { version: doc.version, types: [...doc.graph.nodes].map(([n, node]) => [n, node.type]), edges: doc.graph.edges,',
          '  tauMem: { dtype: lif.tau_mem.dtype, shape: lif.tau_mem.shape, values: Array.from(lif.tau_mem.data) } };',
          'console.log("RESULT " + JSON.stringify(summary));',
        ].join('\n'),
      );
      const result = spawnSync(
        denoExecutable(),
        ['run', '--no-prompt', '--allow-read', '--allow-env=NODE_ENV', '--sloppy-imports', '--node-modules-dir=manual', `--import-map=${importMap}`, script, sharedNirPath(FILE)],
        { cwd: repoRoot, env: { ...process.env, DENO_DIR: join(dir, 'cache'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }, encoding: 'utf8', timeout: 120_000 },
      );
      const line = result.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line === undefined) throw new Error(`Deno printed no RESULT line (exit ${result.status}):\n${result.stderr}`);
      const inDeno = JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;

      const doc = await readNir(readSharedNir(FILE), FILE);
      const lif = doc.graph.nodes.get('lif1.lif');
      if (lif?.type !== 'CubaLIF') throw new Error('no CubaLIF lif1.lif in Node');
      expect(inDeno).toEqual({
        version: '0.2.0',
        types: [...doc.graph.nodes].map(([n, node]) => [n, node.type]),
        edges: doc.graph.edges,
        tauMem: { dtype: 'float64', shape: [38], values: Array.from(lif.tau_mem.data) },
      });
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
