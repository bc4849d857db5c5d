// The Deno script end to end, run exactly as README.md says (`deno run --unstable-webgpu
// --allow-env=NODE_ENV,SPIKEFLOW_BACKEND,SPIKEFLOW_REQUIRE_WEBGPU train.ts` in this folder, against
// the built packages) by the `deno` npm package's binary; it must learn the task, not just run, and
// its first line must name the backend it trained on.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { denoExecutable } from '../../packages/webgpu/test/runtimes/deno.js';
import { unavailable, WEBGPU_REQUIRED } from '../../packages/webgpu/test/webgpu-required.js';
import { ensureBuilt } from '../../test/support/built-packages.js';

/** Above chance (0.5) by this much on 256 held-out episodes: about 8 standard errors of a coin. */
const MARGIN = 0.25;
const HERE = fileURLToPath(new URL('.', import.meta.url));

function runTrain(deno: string, cacheDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = { ...process.env, DENO_DIR: cacheDir, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
    execFile(deno, ['run', '--unstable-webgpu', '--allow-env=NODE_ENV,SPIKEFLOW_BACKEND,SPIKEFLOW_REQUIRE_WEBGPU', '--no-prompt', 'train.ts'], { cwd: HERE, env, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('examples/deno/train.ts', () => {
  it('trains in Deno and beats chance on held-out episodes', async (ctx) => {
    let deno: string;
    try {
      deno = denoExecutable();
    } catch (error) {
      return unavailable(ctx, `no Deno binary from the 'deno' npm package (run pnpm install): ${String(error)}`);
    }
    await ensureBuilt();
    const cache = await mkdtemp(join(tmpdir(), 'spikeflow-deno-cache-'));
    const started = performance.now();
    const result = await runTrain(deno, cache).finally(() => rm(cache, { recursive: true, force: true }));
    console.log(`${result.stdout}${result.stderr}(${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const line = result.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (line === undefined) throw new Error(`Deno printed no RESULT line (exit code ${result.code}):\n${result.stderr}`);
    const report = JSON.parse(line.slice('RESULT '.length)) as { accuracy: number; chance: number; device: string };
    const kind = report.device.split(' ')[0]!;
    if (WEBGPU_REQUIRED && kind !== 'webgpu') throw new Error(`Deno trained on '${report.device}', not WebGPU (SPIKEFLOW_REQUIRE_WEBGPU=1)`);
    expect(result.stdout.split('\n')[0]).toMatch(new RegExp(`^backend: ${kind} \\(.+\\) — .+`));
    expect(result.code).toBe(0);
    expect(report.accuracy).toBeGreaterThan(report.chance + MARGIN);
  }, 400_000);
});
