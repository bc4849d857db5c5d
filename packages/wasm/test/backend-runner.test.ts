// The executable's interface: feeds checked before anything is written, state kept between calls,
// params initialized from the seed exactly as core's cpuBackend does.
import { cpuBackend, SpikeflowError, tensor, trace, type Graph } from '@spikeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { wasmBackend } from '../src/runtime/train-backend.js';
import type { WasmExecutable } from '../src/runtime/executable.js';
import { bits, compiled } from './support/compare.js';

const open: WasmExecutable[] = [];
afterEach(() => open.splice(0).forEach((e) => e.destroy()));

/** acc ← acc + x·w + y (state), output the new acc; w a param drawn from its initializer. */
function accumulator(): Graph {
  return trace((b) => {
    const x = b.input('x', [2, 3]);
    const y = b.input('y', [3], 'i32');
    const w = b.param('w', [2, 3], { kind: 'normal', mean: 0, std: 1 });
    const acc = b.state('acc', [2, 3]);
    const next = acc.add(x.mul(w)).add(y.cast('f32'));
    b.setState(acc, next);
    return { acc: next };
  });
}

const GOOD = { x: tensor([2, 3], [1, 2, 3, 4, 5, 6]), y: tensor([3], [1, 0, -1], 'i32') };

describe('the WebAssembly executable', () => {
  it('starts from the same params and state as cpuBackend for the same seed, bit for bit', async () => {
    const graph = accumulator();
    const exe = await compiled(graph, 1, 7);
    open.push(exe);
    const cpu = await cpuBackend().compile(graph, { seed: 7 });
    const params = await exe.readParams();
    expect(params.w!.data.some((v) => v !== 0)).toBe(true);
    const [got, want] = [await exe.run(GOOD), await cpu.run(GOOD)];
    expect(bits(got.acc!)).toEqual(bits(want.acc!));
    const other = await compiled(graph, 1, 8);
    open.push(other);
    expect(bits((await other.readParams()).w!)).not.toEqual(bits(params.w!));
  });

  it('keeps state between calls and resets it', async () => {
    const exe = await compiled(accumulator(), 1, 1);
    open.push(exe);
    exe.setParams({ w: tensor([2, 3], [1, 1, 1, 1, 1, 1]) });
    await exe.run(GOOD);
    const second = await exe.run(GOOD);
    expect(Array.from(second.acc!.data)).toEqual([4, 4, 4, 10, 10, 10]);
    exe.resetState();
    expect(Array.from((await exe.readState()).acc!.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects a bad feed with one error naming it, and changes nothing', async () => {
    const exe = await compiled(accumulator(), 1, 1);
    open.push(exe);
    exe.setParams({ w: tensor([2, 3], [1, 1, 1, 1, 1, 1]) });
    await exe.run(GOOD);
    const before = bits((await exe.readState()).acc!);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...GOOD, y: tensor([2], [1, 2], 'i32') }, /inputs\.y.*wrong shape/],
      [{ ...GOOD, y: tensor([3], [1, 2, 3]) }, /inputs\.y.*wrong dtype/],
      [{ x: GOOD.x }, /inputs\.y.*missing/],
      [{ ...GOOD, z: 1 }, /inputs\.z.*no input of this name/],
      [{ x: [1, 2, 3], y: GOOD.y }, /inputs\.x.*wrong length/],
      [{ ...GOOD, y: [1, 2.7, 3] }, /inputs\.y\[1\]': 2\.7 is not an integer/],
      [{ ...GOOD, y: [1, 2 ** 31, 3] }, /inputs\.y\[1\]': 2147483648 is out of range for i32/],
      [{ ...GOOD, y: { type: GOOD.y.type, data: new Int32Array(2) } }, /inputs\.y.*data does not fill its shape/],
    ];
    for (const [feeds, message] of bad) {
      await expect(exe.run(feeds as typeof GOOD)).rejects.toThrow(message);
      await expect(exe.run(feeds as typeof GOOD)).rejects.toBeInstanceOf(SpikeflowError);
    }
    expect(() => exe.setParams({ w: tensor([3], [1, 2, 3]) })).toThrow(/params\.w.*wrong shape/);
    expect(() => exe.setState({ acc: tensor([2, 3], [9, 9, 9, 9, 9, 9]), nope: 1 })).toThrow(/state\.nope/);
    // Nothing moved: the state is as before and the next good call goes on from it.
    expect(bits((await exe.readState()).acc!)).toEqual(before);
    expect(Array.from((await exe.run(GOOD)).acc!.data)).toEqual([4, 4, 4, 10, 10, 10]);
  });

  it('checks every feed after reading them all: a getter cannot change a checked feed, and a faked length or prototype is not trusted', async () => {
    const exe = await compiled(accumulator(), 1, 7);
    open.push(exe);
    const before = bits((await exe.readState()).acc!);
    // b's getter runs after a was gathered and changes it: the check, made after every feed was
    // read, sees the change (checking a before reading b would have stored a truncated 1).
    const pair = await compiled(trace((tb) => ({ s: tb.input('a', [2], 'i32').cast('f32').add(tb.input('b', [2])) })), 1, 7);
    open.push(pair);
    const a = new Float32Array([1, 2]);
    const sneaky = { a, get b() { a[0] = 1.5; return [0, 0]; } } as unknown as Record<string, number[]>;
    await expect(pair.run(sneaky)).rejects.toThrow(/at 'inputs\.a\[0\]': 1\.5 is not an integer/);
    // An own `length` on a real typed array does not hide its true size.
    const long = new Float32Array(12);
    Object.defineProperty(long, 'length', { value: 6 });
    expect(() => exe.submit({ ...GOOD, x: long })).toThrow(/at 'inputs\.x'.*expected 6 elements; found 12/);
    // A plain array dressed as an Int32Array is still checked element by element.
    const dressed = Object.setPrototypeOf([1, 0, 1.5], Int32Array.prototype) as number[];
    expect(() => exe.submit({ ...GOOD, y: dressed })).toThrow(/at 'inputs\.y\[2\]': 1\.5 is not an integer/);
    expect(bits((await exe.readState()).acc!)).toEqual(before);
  });

  it('is a TrainBackend named wasm whose runner is the executable', async () => {
    const backend = wasmBackend();
    expect(backend.name).toBe('wasm');
    const runner = await backend.compile(accumulator(), { seed: 3 });
    const cpu = await cpuBackend().compile(accumulator(), { seed: 3 });
    expect(bits((await runner.run(GOOD)).acc!)).toEqual(bits((await cpu.run(GOOD)).acc!));
    runner.destroy();
  });
});
