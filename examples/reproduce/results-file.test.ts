import { cpuBackend } from '@spikeflow/core';
import type { GpuContext } from '@spikeflow/webgpu';
import { describe, expect, it } from 'vitest';
import type { ResultRow } from './experiment.js';
import { mergeRows, resultsMarkdown } from './results-file.js';
import { backendKindOf, deviceText } from './row-backend.js';

const row = (experiment: string, model: string, seed: number, value: number): ResultRow => ({
  experiment,
  model,
  metric: 'test accuracy',
  value,
  seed,
  sizes: { epochs: 2 },
  device: 'test device',
  wall_s: 1,
});

const ORDER = ['store-recall', 'smnist'];

describe('results file', () => {
  it('a run replaces only its own experiment at its own seed; other seeds and experiments stay, ordered by experiment then seed', () => {
    const previous = [row('smnist', 'PSN', 2, 0.95), row('store-recall', 'ALIF', 1, 0.01), row('smnist', 'PSN', 1, 0.9), row('smnist', 'LIF', 1, 0.8)];
    const merged = mergeRows(previous, [row('smnist', 'PSN', 1, 0.97)], { experiment: 'smnist', seed: 1 }, ORDER);
    expect(merged.map((r) => [r.experiment, r.model, r.seed, r.value])).toEqual([
      ['store-recall', 'ALIF', 1, 0.01],
      ['smnist', 'PSN', 1, 0.97],
      ['smnist', 'PSN', 2, 0.95],
    ]);
  });

  it('a run of some variants replaces only those models at its seed', () => {
    const previous = [row('smnist', 'PSN', 2, 0.95), row('smnist', 'LIF', 2, 0.8), row('smnist', 'PSN', 3, 0.96)];
    const merged = mergeRows(previous, [row('smnist', 'PSN', 2, 0.97)], { experiment: 'smnist', seed: 2, models: ['PSN'] }, ORDER);
    expect(merged.map((r) => [r.model, r.seed, r.value])).toEqual([
      ['LIF', 2, 0.8],
      ['PSN', 2, 0.97],
      ['PSN', 3, 0.96],
    ]);
  });

  it('RESULTS.md gives mean, sample sd, extremes and the seeds meeting the target of a model run at several seeds', () => {
    const targeted = (seed: number, value: number): ResultRow => ({ ...row('smnist', 'PSN', seed, value), target: '>= 0.96', met: value >= 0.96 });
    const text = resultsMarkdown([targeted(1, 0.95), targeted(2, 0.97), targeted(3, 0.96), row('smnist', 'LIF', 1, 0.88)], new Map([['smnist', 'title']]));
    // mean (0.95 + 0.97 + 0.96) / 3 = 0.96; sd sqrt((0.01² + 0.01² + 0) / 2) = 0.01.
    expect(text).toContain('- PSN, test accuracy over seeds 1, 2, 3: mean 0.9600, sample sd 0.0100, min 0.9500, max 0.9700; >= 0.96 met at 2 of 3 seeds');
    expect(text).not.toContain('- LIF, test accuracy over seeds');
  });

  it('RESULTS.md names the seed of each row in the sizes list once several seeds are present', () => {
    const titles = new Map([['smnist', 'title']]);
    const one = resultsMarkdown([row('smnist', 'PSN', 1, 0.97)], titles);
    expect(one).toContain('- PSN: epochs 2');
    const two = resultsMarkdown([row('smnist', 'PSN', 1, 0.97), row('smnist', 'PSN', 2, 0.95)], titles);
    expect(two).toContain('- PSN (seed 1): epochs 2');
    expect(two).toContain('- PSN (seed 2): epochs 2');
    expect(two).toContain('| PSN | test accuracy | 0.9500 |  |  | 2 | 1 s | test device |');
  });

  it('RESULTS.md writes values near machine precision in exponent form, 0 and larger values in fixed form', () => {
    const text = resultsMarkdown([row('smnist', 'tiny', 1, 6.6e-16), row('smnist', 'zero', 1, 0), row('smnist', 'small', 1, 0.0012)], new Map([['smnist', 'title']]));
    expect(text).toContain('| tiny | test accuracy | 6.60e-16 |');
    expect(text).toContain('| zero | test accuracy | 0.0000 |');
    expect(text).toContain('| small | test accuracy | 0.0012 |');
  });
});

/** Devices as the runner writes them, and as rows written before the backend choice have them. */
const WEBGPU = 'WebGPU (mesa / software / llvmpipe)';
const WASM = 'WebAssembly (2 threads)';
const on = (device: string, r: ResultRow, wall_s = r.wall_s): ResultRow => ({ ...r, device, wall_s });

describe('rows of several backends', () => {
  it('the backend is read from the device text: WebGPU and WebAssembly by name, anything else ran on the host CPU', () => {
    expect(backendKindOf({ device: WEBGPU })).toBe('webgpu');
    expect(backendKindOf({ device: `${WEBGPU} (training step; episodes played on the CPU interpreter)` })).toBe('webgpu');
    expect(backendKindOf({ device: WASM })).toBe('wasm');
    expect(backendKindOf({ device: 'CPU reference interpreter (f64)' })).toBe('cpu');
    expect(backendKindOf({ device: 'CPU, the event-driven simulator of the network' })).toBe('cpu');
    expect(backendKindOf({ device: 'a WebGPU-like device' })).toBe('cpu'); // only a leading name counts
  });

  it("the runner's device text reads back as the backend it was written for", () => {
    const wasm = deviceText({ kind: 'wasm', backend: cpuBackend(), threads: 2, reason: '' });
    expect(wasm).toBe('WebAssembly (2 threads)');
    expect(deviceText({ kind: 'wasm', backend: cpuBackend(), threads: 1, reason: '' })).toBe('WebAssembly (1 thread)');
    const cpu = deviceText({ kind: 'cpu', backend: cpuBackend(), reason: '' });
    expect(cpu).toBe('CPU reference interpreter');
    // deviceText reads nothing of the context but its adapter's name.
    const webgpu = deviceText({ kind: 'webgpu', backend: cpuBackend(), ctx: { adapterInfo: 'llvmpipe' } as GpuContext, reason: '' });
    expect(webgpu).toBe('WebGPU (llvmpipe)');
    expect([webgpu, wasm, cpu].map((device) => backendKindOf({ device }))).toEqual(['webgpu', 'wasm', 'cpu']);
  });

  it('a run whose models ran on different backends replaces each model only on the backends it ran on, and drops a model it no longer has', () => {
    const CPU = 'CPU reference interpreter';
    const previous = [on(CPU, row('maze', 'A', 1, 1)), on(CPU, row('maze', 'B', 1, 2)), on(CPU, row('maze', 'gone', 1, 3))];
    const merged = mergeRows(previous, [on(WEBGPU, row('maze', 'A', 1, 4)), on(CPU, row('maze', 'B', 1, 5))], { experiment: 'maze', seed: 1 }, ['maze']);
    expect(merged.map((r) => [r.model, backendKindOf(r), r.value])).toEqual([
      ['A', 'cpu', 1],
      ['A', 'webgpu', 4],
      ['B', 'cpu', 5],
    ]);
  });

  it('a run on another backend keeps the rows of the first, and the two sit side by side; a rerun on one backend replaces only its own row', () => {
    const previous = [on(WEBGPU, row('smnist', 'PSN', 1, 0.963)), on(WEBGPU, row('smnist', 'LIF', 1, 0.9)), on(WEBGPU, row('smnist', 'PSN', 2, 0.97))];
    const wasmRun = mergeRows(previous, [on(WASM, row('smnist', 'PSN', 1, 0.961))], { experiment: 'smnist', seed: 1, models: ['PSN'] }, ORDER);
    expect(wasmRun.map((r) => [r.model, r.seed, backendKindOf(r), r.value])).toEqual([
      ['PSN', 1, 'webgpu', 0.963],
      ['PSN', 1, 'wasm', 0.961],
      ['LIF', 1, 'webgpu', 0.9],
      ['PSN', 2, 'webgpu', 0.97],
    ]);
    const wasmAgain = mergeRows(wasmRun, [on(WASM, row('smnist', 'PSN', 1, 0.965))], { experiment: 'smnist', seed: 1, models: ['PSN'] }, ORDER);
    expect(wasmAgain.map((r) => [r.model, r.seed, backendKindOf(r), r.value])).toEqual([
      ['PSN', 1, 'webgpu', 0.963],
      ['PSN', 1, 'wasm', 0.965],
      ['LIF', 1, 'webgpu', 0.9],
      ['PSN', 2, 'webgpu', 0.97],
    ]);
    // A whole-experiment WebGPU run at seed 1 replaces both WebGPU rows of seed 1 and leaves the wasm row.
    const webgpuAgain = mergeRows(wasmAgain, [on(WEBGPU, row('smnist', 'PSN', 1, 0.962))], { experiment: 'smnist', seed: 1 }, ORDER);
    expect(webgpuAgain.map((r) => [r.model, r.seed, backendKindOf(r), r.value])).toEqual([
      ['PSN', 1, 'wasm', 0.965],
      ['PSN', 1, 'webgpu', 0.962],
      ['PSN', 2, 'webgpu', 0.97],
    ]);
  });

  it('RESULTS.md compares a model run on two backends at one seed: values, wall times and the difference in points', () => {
    const rows = [
      on(WEBGPU, row('smnist', 'PSN', 1, 0.963), 2017),
      on(WASM, row('smnist', 'PSN', 1, 0.9615), 300),
      on(WEBGPU, row('smnist', 'PSN', 2, 0.97)),
      on(WEBGPU, row('smnist', 'PSN', 3, 0.965)),
    ];
    const text = resultsMarkdown(rows, new Map([['smnist', 'title']]));
    // 0.9615 − 0.9630 = −0.0015, −0.15 points.
    expect(text).toContain('Across backends:\n\n- PSN, test accuracy, seed 1: wasm 0.9615 (300 s) vs WebGPU 0.9630 (2017 s), difference -0.15 points');
    // The spread over seeds stays within one backend: WebGPU's seeds 1-3, mean 0.966, sd sqrt((0.003² + 0.004² + 0.001²) / 2) = 0.0036.
    expect(text).toContain('- PSN on WebGPU, test accuracy over seeds 1, 2, 3: mean 0.9660, sample sd 0.0036, min 0.9630, max 0.9700');
    expect(text).not.toContain('PSN on wasm, test accuracy over seeds');
    expect(text).toContain('| PSN | test accuracy | 0.9615 |  |  | 1 | 300 s | WebAssembly (2 threads) |');
    expect(text).toContain('- PSN (seed 1, wasm): epochs 2');
    expect(text).toContain('- PSN (seed 1, WebGPU): epochs 2');
  });

  it('a metric that is not a fraction gets its difference in its own units; without WebGPU the CPU interpreter is the reference', () => {
    const mse = (device: string, value: number, wall_s: number): ResultRow => on(device, { ...row('l2l', 'LSNN', 1, value), metric: 'test MSE' }, wall_s);
    const text = resultsMarkdown([mse('CPU reference interpreter', 0.25, 500), mse(WASM, 0.5, 60)], new Map([['l2l', 'title']]));
    expect(text).toContain('- LSNN, test MSE, seed 1: wasm 0.5000 (60 s) vs CPU 0.2500 (500 s), difference +0.2500');
  });

  it('one model with two metrics at one seed gets no spread line (it is not two seeds)', () => {
    const metric = (name: string, value: number): ResultRow => ({ ...row('l2l', 'LSNN', 1, value), metric: name });
    const text = resultsMarkdown([metric('test MSE, first fifth / last fifth', 1.7), metric('test MSE, last fifth', 0.6)], new Map([['l2l', 'title']]));
    expect(text).not.toContain('over seeds');
    expect(text).not.toContain('Across');
  });
});
