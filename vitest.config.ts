import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources, so no build is needed before `pnpm test`.
export default defineConfig({
  resolve: {
    alias: {
      '@spikeflow/core': src('core'),
      '@spikeflow/autodiff': src('autodiff'),
      '@spikeflow/webgpu/node': fileURLToPath(new URL('./packages/webgpu/src/node.ts', import.meta.url)),
      '@spikeflow/webgpu': src('webgpu'),
      '@spikeflow/models': src('models'),
      '@spikeflow/nir': src('nir'),
      '@spikeflow/plot/node': fileURLToPath(new URL('./packages/plot/src/node.ts', import.meta.url)),
      '@spikeflow/plot': src('plot'),
      '@spikeflow/wasm/node': fileURLToPath(new URL('./packages/wasm/src/node.ts', import.meta.url)),
      '@spikeflow/wasm': src('wasm'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/*.test.ts', 'test/**/*.test.ts', 'docs/**/*.test.ts'],
    // Generous: on a cold Mesa shader cache lavapipe compiles each big kernel on first use (seconds each).
    testTimeout: 300_000,
    // Vitest's default, cores − 1, is one worker on a 2-core machine; two finish sooner there (the
    // second core works while the other file imports or runs single-threaded JavaScript).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Decides once whether the WebGPU suites run (not on a software adapter unless SPIKEFLOW_REQUIRE_WEBGPU=1).
    globalSetup: ['packages/webgpu/test/webgpu-probe.ts'],
  },
});
