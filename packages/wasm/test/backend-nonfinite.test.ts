// countNonFinite of the wasm step runner: counts NaN and ±Inf of f32 state in the shared memory,
// against a count on the host of the same values; bad names refused with one error naming them.
import { SpikeflowError, tensor, trace, type Graph } from '@spikeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnNodeWorker } from '../src/node.js';
import { compileWasmTrainStep, type WasmTrainStep } from '../src/runtime/train-backend.js';

const open: WasmTrainStep[] = [];
afterEach(() => open.splice(0).forEach((r) => r.destroy()));

/** Three states (two f32, one i32) advanced by a step; `loss` sums the first. */
function stateful(): Graph {
  return trace((b) => {
    const x = b.input('x', [37]);
    const a = b.state('a', [37]);
    const w = b.state('w', [2, 5]);
    const n = b.state('n', [4], { kind: 'zeros' }, 'i32');
    b.setState(a, a.add(x));
    b.setState(w, w.mul(2));
    b.setState(n, n.add(1));
    return { loss: a.sum() };
  });
}

const host = (data: ArrayLike<number>) => Array.from(data).filter((v) => !Number.isFinite(v)).length;

describe('countNonFinite on the wasm step runner', () => {
  it('counts NaN and ±Inf of each named state as the host does, and follows the steps', async () => {
    const runner = await compileWasmTrainStep(stateful(), { threads: 2, spawn: spawnNodeWorker });
    open.push(runner);
    const edge = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38, 2.5, -7];
    const a = Array.from({ length: 37 }, (_, i) => edge[i % edge.length]!);
    const w = [1, 2, 3e38, -3e38, 5, NaN, 7, 8, 9, 10];
    runner.setState({ a: tensor([37], a), w: tensor([2, 5], w) });
    expect(await runner.countNonFinite(['a', 'w'])).toEqual({ a: host(a), w: host(w) });
    expect(host(a)).toBe(10); // i mod 12 in {0, 1, 2} for 10 of i = 0..36
    // One step: a + x keeps a's non-finite values and turns x's Inf into more; w doubles, so ±3e38 overflow.
    const x = Array.from({ length: 37 }, (_, i) => (i === 3 ? Infinity : i === 4 ? NaN : 1));
    runner.step({ x: tensor([37], x) });
    const state = await runner.readState(['a', 'w']);
    const counts = await runner.countNonFinite(['w', 'a']);
    expect(counts).toEqual({ a: host(state.a!.data), w: host(state.w!.data) });
    expect(counts).toEqual({ a: 12, w: 3 }); // a: x's Inf and NaN land on a 0 and a -0; w: ±3e38·2 and the NaN
    expect(await runner.countNonFinite([])).toEqual({});
  });

  it('refuses an unknown name and a non-f32 state with one error naming it', async () => {
    const runner = await compileWasmTrainStep(stateful());
    open.push(runner);
    const refusal = (names: string[]) => runner.countNonFinite(names).then(() => undefined, (e: unknown) => e);
    const unknown = await refusal(['a', 'nope']);
    expect(unknown).toBeInstanceOf(SpikeflowError);
    expect(String(unknown)).toMatch(/state\.nope/);
    const integer = await refusal(['n']);
    expect(integer).toBeInstanceOf(SpikeflowError);
    expect(String(integer)).toMatch(/state\.n\b.*f32/);
  });
});
