// A few parity cases on the WebAssembly backend in Deno: webWasmBackend (Web Workers, 2 threads)
// from the package's source runs the shared cases' graphs with the shared feeds; Node compares the
// outputs with the float32 CPU reference within each case's WASM tolerance, as parity.test.ts does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tensor, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { caseFeeds } from '../../../test/support/parity/case-run.js';
import { graphCases } from '../../../test/support/parity/cases.js';
import { denoExecutable } from '../../webgpu/test/runtimes/deno.js';
import { compareWasmCase } from './parity/runner.js';
import { reference } from './support/compare.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** One case of each kind: a transcendental, a long dot product, a one-kernel scan, a scan VJP, Philox draws. */
const CASES = ['unary exp', 'matmul 70x300 @ 300x90', 'LIF scan (elementwise body: one kernel)', 'grad LIF BPTT (scan VJP)', 'uniform and bernoulli draws: bit-identical to the CPU'];

describe('parity cases on the WebAssembly backend in Deno (Web Workers)', () => {
  it(`${CASES.length} cases within their WASM tolerance`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-wasm-parity-deno-'));
    try {
      const url = (path: string) => pathToFileURL(join(repoRoot, path)).href;
      const importMap = join(dir, 'import-map.json');
      writeFileSync(importMap, JSON.stringify({ imports: { '@spikeflow/core': url('packages/core/src/index.ts'), '@spikeflow/autodiff': url('packages/autodiff/src/index.ts') } }));
      const script = join(dir, 'parity.ts');
      writeFileSync(
        script,
        [
          `import { webWasmBackend } from '${url('packages/wasm/src/web.ts')}';`,
          `import { graphCases } from '${url('test/support/parity/cases.ts')}';`,
          `import { caseFeeds } from '${url('test/support/parity/case-run.ts')}';`,
          `const wanted = new Set(${JSON.stringify(CASES)});`,
          'const backend = webWasmBackend({ threads: 2 });',
          'const results = {};',
          'for (const c of graphCases().filter((c) => wanted.has(c.name))) {',
          '  const runner = await backend.compile(c.graph);',
          '  const out = await runner.run(caseFeeds(c, 1));',
          '  results[c.name] = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.data)]));',
          '  runner.destroy();',
          '}',
          'console.log("RESULT " + JSON.stringify(results));',
        ].join('\n'),
      );
      const result = spawnSync(
        denoExecutable(),
        ['run', '--no-prompt', '--allow-read', '--allow-env=NODE_ENV', '--sloppy-imports', '--node-modules-dir=manual', `--import-map=${importMap}`, script],
        { cwd: dir, env: { ...process.env, DENO_DIR: join(dir, 'cache'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }, encoding: 'utf8', timeout: 240_000 },
      );
      const line = result.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line === undefined) throw new Error(`Deno printed no RESULT line (exit ${result.status}):\n${result.stderr}`);
      const got = JSON.parse(line.slice('RESULT '.length)) as Record<string, Record<string, number[]>>;
      const cases = graphCases().filter((c) => CASES.includes(c.name));
      expect(cases.map((c) => c.name).sort()).toEqual([...CASES].sort());
      expect(Object.keys(got).sort()).toEqual([...CASES].sort());
      for (const c of cases) {
        const feeds = caseFeeds(c, 1);
        // The outputs' types (shape, dtype) from the reference: Deno sent their values only.
        const outputs: Record<string, HostTensor> = Object.fromEntries(
          Object.entries(reference(c.graph, feeds)).map(([name, t]) => [name, tensor(t.type.shape, got[c.name]![name] ?? [], t.type.dtype)]),
        );
        const compared = compareWasmCase(c, feeds, outputs);
        expect(compared.detail ?? 'ok', `${c.name} (tolerance: ${c.wasm.why})`).toBe('ok');
      }
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
