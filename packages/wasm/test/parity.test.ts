// The backend parity suite (every primitive and every VJP rule, test/support/parity/cases.ts) on
// the WebAssembly backend, against the CPU reference in float32: bit for bit where the kernels keep
// the CPU's order, within each case's stated bound where they do not (transcendentals, reordered sums).
import { describe, expect, it } from 'vitest';
import { graphCases } from '../../../test/support/parity/cases.js';
import { BITS, LONG_SUM, REORDERED_SUM, ulpDistance, ulpsOf, wasmShare } from '../../../test/support/parity/wasm-tolerance.js';
import { runWasmCase } from './parity/runner.js';

/** Two threads: every kernel that splits its work is split (1 and 2 threads give the same bits). */
const THREADS = 2;

describe('parity suite on the WebAssembly backend', () => {
  it.each(graphCases().map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const result = await runWasmCase(c, THREADS);
    expect(result.detail ?? 'ok', `tolerance: ${c.wasm.why}`).toBe('ok');
    expect(result.ok).toBe(true);
    expect(result.maxError).toBeLessThanOrEqual(1);
  });
});

describe('the WASM tolerance measure', () => {
  const one = Math.fround(1 + 2 ** -23);
  it('passes bit for bit only under BITS, -0 against +0 included', () => {
    expect(wasmShare(1.5, 1.5, BITS)).toBe(0);
    expect(wasmShare(NaN, NaN, BITS)).toBe(0);
    expect(wasmShare(one, 1, BITS)).toBe(Infinity);
    expect(wasmShare(-0, 0, BITS)).toBe(Infinity);
  });

  it('counts ulps across zero and relative error against max(1, |cpu|)', () => {
    expect(ulpDistance(one, 1)).toBe(1);
    expect(ulpDistance(-(2 ** -149), 2 ** -149)).toBe(2);
    expect(wasmShare(one, 1, ulpsOf('exp', 1))).toBe(1);
    expect(wasmShare(Math.fround(1 + 2 ** -22), 1, ulpsOf('exp', 1))).toBe(2);
    // 1e-6 away from 0.001: relative to 1, not to 0.001, so within REORDERED_SUM's 1e-5.
    expect(wasmShare(0.001 + 1e-6, 0.001, REORDERED_SUM)).toBeCloseTo(0.1, 6);
    expect(wasmShare(200 + 0.004, 200, REORDERED_SUM)).toBeGreaterThan(1);
    expect(wasmShare(Infinity, 1, LONG_SUM)).toBe(Infinity);
  });
});
