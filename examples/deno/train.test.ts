// The Deno script end to end: bundled with esbuild, run by the `deno` npm package's binary with
// --unstable-webgpu; it must learn the task, not just run.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleEntry } from '../../scripts/bundle-entry.js';
import { denoExecutable, runDenoScript } from '../../packages/webgpu/test/runtimes/deno.js';
import { unavailable, WEBGPU_REQUIRED } from '../../packages/webgpu/test/webgpu-required.js';

/** Above chance (0.5) by this much on 256 held-out episodes: about 8 standard errors of a coin. */
const MARGIN = 0.25;

describe('examples/deno/train.ts', () => {
  it('trains in Deno and beats chance on held-out episodes', async (ctx) => {
    try {
      denoExecutable();
    } catch (error) {
      unavailable(ctx, `no Deno binary from the 'deno' npm package (run pnpm install): ${String(error)}`);
    }
    const started = performance.now();
    const result = await runDenoScript(await bundleEntry(fileURLToPath(new URL('./train.ts', import.meta.url))), 120_000);
    console.log(`${result.stdout}${result.stderr}(${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const line = result.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (line === undefined) throw new Error(`Deno printed no RESULT line (exit code ${result.code}):\n${result.stderr}`);
    const report = JSON.parse(line.slice('RESULT '.length)) as { accuracy: number; chance: number; device: string };
    if (!report.device.startsWith('webgpu')) {
      if (WEBGPU_REQUIRED) throw new Error(`Deno trained on '${report.device}', not WebGPU (SPIKEFLOW_REQUIRE_WEBGPU=1)`);
      console.warn('Deno had no WebGPU adapter; the script fell back to the CPU interpreter');
    }
    expect(result.code).toBe(0);
    expect(report.accuracy).toBeGreaterThan(report.chance + MARGIN);
  }, 150_000);
});
