// The pool on Web Workers (spawnWebWorker), run by Deno from the package's TypeScript source: a
// 65 × 33 · 33 × 129 product on two threads (thread 1 has rows 36..64 and half of B's panels),
// compared bit for bit with the float32 reference in the kernel's order, computed here in Node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { denoExecutable } from '../../webgpu/test/runtimes/deno.js';
import { DEFAULT_MATMUL_TILING } from '../src/index.js';
import { matmulF32InKernelOrder, randomFloats } from './reference.js';

const packageRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const [M, K, N] = [65, 33, 129];

describe('the thread pool on Web Workers (Deno)', () => {
  it('computes a matmul on two threads bit for bit as the float32 reference', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-wasm-deno-'));
    try {
      const url = (path: string) => pathToFileURL(join(packageRoot, path)).href;
      // web.ts reaches '@spikeflow/core' (through the backend): mapped to its source, whose npm
      // imports resolve from node_modules beside its package.json (--node-modules-dir=manual).
      const importMap = join(dir, 'import-map.json');
      writeFileSync(importMap, JSON.stringify({ imports: { '@spikeflow/core': pathToFileURL(join(packageRoot, '../core/src/index.ts')).href } }));
      const script = join(dir, 'matmul.ts');
      writeFileSync(
        script,
        [
          `import { createWebKernels } from '${url('src/web.ts')}';`,
          `import { randomFloats } from '${url('test/reference.ts')}';`,
          'const kernels = await createWebKernels({ threads: 2, maximumPages: 256 });',
          `const a = kernels.f32(randomFloats(${M * K}, 1));`,
          `const b = kernels.f32(randomFloats(${K * N}, 2));`,
          `const c = kernels.f32(${M * N});`,
          `kernels.matmul(a, b, c, ${M}, ${K}, ${N});`,
          'console.log("RESULT " + JSON.stringify({ threads: kernels.threads, c: Array.from(c.array) }));',
          'await kernels.destroy();',
        ].join('\n'),
      );
      const result = spawnSync(denoExecutable(), ['run', '--no-prompt', '--allow-read', '--allow-env=NODE_ENV', '--sloppy-imports', '--node-modules-dir=manual', `--import-map=${importMap}`, script], {
        cwd: dir,
        env: { ...process.env, DENO_DIR: join(dir, 'cache'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      const line = result.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line === undefined) throw new Error(`Deno printed no RESULT line (exit ${result.status}):\n${result.stderr}`);
      const { threads, c } = JSON.parse(line.slice('RESULT '.length)) as { threads: number; c: number[] };
      expect(threads).toBe(2);
      const expected = matmulF32InKernelOrder(randomFloats(M * K, 1), randomFloats(K * N, 2), M, K, N, DEFAULT_MATMUL_TILING.kBlock);
      expect(new Float32Array(c)).toEqual(expected);
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
