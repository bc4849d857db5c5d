// The WebAssembly backend on Web Workers (webWasmBackend, @spikeflow/wasm/web), run by Deno from
// the package's source with 2 threads: a matmul into an elementwise scan, whose results must equal
// those of the Node backend on 1 thread bit for bit (and the CPU reference's spike counts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { denoExecutable } from '../../webgpu/test/runtimes/deno.js';
import { bits, compiled, reference } from './support/compare.js';
import { denoFeeds, denoGraph } from './support/deno-graph.js';

const packageRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

describe('the WebAssembly backend on Web Workers (Deno)', () => {
  it('runs a compiled graph on 2 threads with the bits of the Node backend on 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-wasm-backend-deno-'));
    try {
      const url = (path: string) => pathToFileURL(join(packageRoot, path)).href;
      // '@spikeflow/core' maps to its source; its npm imports resolve from node_modules beside its
      // package.json (--node-modules-dir=manual).
      const importMap = join(dir, 'import-map.json');
      writeFileSync(importMap, JSON.stringify({ imports: { '@spikeflow/core': url('../core/src/index.ts') } }));
      const script = join(dir, 'backend.ts');
      writeFileSync(
        script,
        [
          `import { webWasmBackend } from '${url('src/web.ts')}';`,
          `import { denoFeeds, denoGraph } from '${url('test/support/deno-graph.ts')}';`,
          'const runner = await webWasmBackend({ threads: 2 }).compile(denoGraph());',
          'const out = await runner.run(denoFeeds());',
          'console.log("RESULT " + JSON.stringify({ spikes: Array.from(out.spikes.data), count: Array.from(out.count.data) }));',
          'runner.destroy();',
        ].join('\n'),
      );
      const result = spawnSync(
        denoExecutable(),
        ['run', '--no-prompt', '--allow-read', '--allow-env=NODE_ENV', '--sloppy-imports', '--node-modules-dir=manual', `--import-map=${importMap}`, script],
        { cwd: dir, env: { ...process.env, DENO_DIR: join(dir, 'cache'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }, encoding: 'utf8', timeout: 120_000 },
      );
      const line = result.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line === undefined) throw new Error(`Deno printed no RESULT line (exit ${result.status}):\n${result.stderr}`);
      const got = JSON.parse(line.slice('RESULT '.length)) as { spikes: number[]; count: number[] };
      const node = await compiled(denoGraph(), 1);
      const want = await node.run(denoFeeds());
      node.destroy();
      expect(bits({ type: want.spikes!.type, data: Float32Array.from(got.spikes) })).toEqual(bits(want.spikes!));
      expect(bits({ type: want.count!.type, data: Float32Array.from(got.count) })).toEqual(bits(want.count!));
      const cpu = reference(denoGraph(), denoFeeds());
      expect(got.count.some((c) => c > 0)).toBe(true);
      // The CPU reference sums the matmul in another order, so a membrane within an ulp of the
      // threshold could flip a spike; with these feeds none does (5,704 spikes, every count equal).
      expect(Array.from(want.count!.data)).toEqual(Array.from(cpu.count!.data));
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
