// --backend and SPIKEFLOW_BACKEND: a bad value is one usage line naming the flag or variable,
// before any file is written; a good one trains on the backend asked for, and the first line on
// stderr names it and why.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { backendRequest } from '../src/backend-choice.js';
import { inProcess } from './in-process.js';

const work = await mkdtemp(join(tmpdir(), 'spikeflow-backend-flag-'));
afterAll(() => rm(work, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

const SMALL = ['--epochs', '1', '--train-batches', '2', '--test-batches', '1', '--batch', '8'];

describe('backendRequest', () => {
  it('takes the flag over the variable, the variable over auto, and names the source', () => {
    expect(backendRequest('wasm', { SPIKEFLOW_BACKEND: 'cpu' })).toEqual({ prefer: 'wasm', source: '--backend' });
    expect(backendRequest(undefined, { SPIKEFLOW_BACKEND: 'cpu' })).toEqual({ prefer: 'cpu', source: 'SPIKEFLOW_BACKEND' });
    expect(backendRequest(undefined, {})).toEqual({ prefer: 'auto', source: 'auto' });
    expect(backendRequest(undefined, { SPIKEFLOW_BACKEND: '' })).toEqual({ prefer: 'auto', source: 'auto' });
    expect(() => backendRequest('', {})).toThrow("--backend: unknown backend ''");
  });
});

describe('spikeflow --backend', () => {
  it('refuses a bad value with one line naming the flag, exit code 2, nothing written', async () => {
    const out = join(work, 'bad-flag');
    for (const bad of ['gpu', '', 'constructor']) {
      const result = await inProcess('train', 'evidence', ...SMALL, '--out', out, `--backend=${bad}`);
      expect(result.code).toBe(2);
      expect(result.errors).toEqual([`spikeflow: --backend: unknown backend '${bad}' (choose auto, webgpu, wasm or cpu)`]);
    }
    expect((await inProcess('eval', join(work, 'none.spikeflow'), '--backend', 'tpu')).errors).toEqual(["spikeflow: --backend: unknown backend 'tpu' (choose auto, webgpu, wasm or cpu)"]);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a bad SPIKEFLOW_BACKEND the same way, naming the variable', async () => {
    vi.stubEnv('SPIKEFLOW_BACKEND', 'fast');
    const result = await inProcess('train', 'evidence', ...SMALL, '--out', join(work, 'bad-env'));
    expect(result.code).toBe(2);
    expect(result.errors).toEqual(["spikeflow: SPIKEFLOW_BACKEND: unknown backend 'fast' (choose auto, webgpu, wasm or cpu)"]);
  });

  it('is refused by inspect, which runs nothing', async () => {
    const result = await inProcess('inspect', 'evidence', '--backend', 'wasm');
    expect(result.code).toBe(2);
    expect(result.errors).toEqual(['spikeflow: --backend is not an option of inspect (--help for usage)']);
  });

  it('trains on the WebAssembly backend and on the CPU interpreter when asked, saying so first', async () => {
    for (const kind of ['wasm', 'cpu'] as const) {
      const dir = join(work, `run-${kind}`);
      const result = await inProcess('train', 'evidence', ...SMALL, '--out', dir, '--backend', kind);
      expect(result.code, result.errors.join('\n')).toBe(0);
      const line = result.errors.find((l) => l.startsWith('backend: '));
      if (kind === 'wasm') expect(line).toMatch(/^backend: wasm \(\d+ threads?\) — asked for by --backend=wasm$/);
      else expect(line).toBe('backend: cpu (the reference interpreter) — asked for by --backend=cpu');
      const metrics = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; loss: number });
      expect(metrics.map((m) => m.epoch)).toEqual([1]);
      expect(Number.isFinite(metrics[0]!.loss)).toBe(true);
    }
  }, 120_000);
});
