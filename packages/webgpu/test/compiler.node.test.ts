// What the compiler does, seen through the statistics API, on a real device (dawn.node).
import { evaluate, SpikeflowError, tensor, toArray, trace, type Graph } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileProgram } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU compiler tests');

/** A multi-step LIF layer over x [T, B, N] (SpikingJelly decay_input, hard reset, detach_reset). */
function lifLayer(T: number, B: number, N: number): Graph {
  return trace((b) => {
    const x = b.input('x', [T, B, N]);
    const { outputs } = b.scan({
      carries: [b.constant(0, [B, N])],
      sequences: [x],
      body: (_, [v], [xt]) => {
        const h = v!.add(xt!.sub(v!).div(2));
        const s = h.sub(1).spike();
        return { carries: [h.mul(s.stopGradient().neg().add(1))], outputs: [s] };
      },
    });
    return { loss: outputs[0]!.mul(b.input('g', [T, B, N])).sum(), s: outputs[0]! };
  });
}

describe.skipIf(skip)('compiler on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('runs a multi-step LIF forward as ONE dispatch and its BPTT backward as ONE dispatch', async () => {
    const { device } = deviceOf(acquired);
    const forward = lifLayer(64, 4, 100);
    const fwd = await compile(forward, device);
    const scanKernels = fwd.stats.kernels.filter((k) => k.kind === 'scan-fused');
    expect(scanKernels.map((k) => k.dispatches)).toEqual([1]);
    expect(fwd.stats.kernels.filter((k) => k.dispatches > 1)).toEqual([]);

    const backward = grad(forward, { of: 'loss', wrt: ['x'] });
    const bwd = await compile(backward, device);
    const scans = bwd.stats.kernels.filter((k) => k.kind === 'scan-fused');
    // The forward scan (saving its carries) and the reverse-time scan: one dispatch each, no step loop.
    expect(scans.length).toBe(2);
    expect(scans.every((k) => k.dispatches === 1)).toBe(true);
    expect(bwd.stats.kernels.some((k) => k.dispatches > 1)).toBe(false);
    const feeds = { x: Array.from({ length: 64 * 4 * 100 }, (_, i) => ((i * 7919) % 300) / 100), g: Array.from({ length: 64 * 4 * 100 }, (_, i) => ((i * 104729) % 200) / 100 - 1) };
    const cpu = evaluate(backward, { inputs: feeds }).outputs;
    const gpu = await bwd.run(feeds);
    const d = toArray(gpu['grad/x']!);
    const e = toArray(cpu['grad/x']!);
    expect(Math.max(...d.map((v, k) => Math.abs(v - e[k]!)))).toBeLessThan(1e-4);
    fwd.destroy();
    bwd.destroy();
  });

  it('reads the current step of a sequence through a reshape shared by two kernels of a step loop', async () => {
    // The body reshapes its slice x_t [2, 1] -> [2] and reads that reshape from a max reduction and
    // from an equal, so the reshape is a buffer alias of the slice: both kernels must read step t,
    // not step 0. loss = c_2 with c_{t+1} = c_t / 2 + tanh(max x_t) / 2, so by hand
    // d loss / d x_t is 0 except at the argmax of x_t, where it is 2^(t-2) (1 - tanh^2(max x_t)).
    const { device } = deviceOf(acquired);
    const forward = trace((b) => {
      const { carries, outputs } = b.scan({
        carries: [b.input('c0', [1])],
        sequences: [b.input('xs', [2, 2, 1])],
        body: (bb, [c], [xt]) => {
          const flat = xt!.reshape([2]);
          const max = flat.max([0]);
          const isMax = bb.where(flat.equal(max.reshape([1])), 1, 0);
          return { carries: [c!.mul(0.5).add(max.tanh().mul(0.5))], outputs: [isMax] };
        },
      });
      return { loss: carries[0]!.sum(), isMax: outputs[0]! };
    });
    const backward = grad(forward, { of: 'loss', wrt: ['xs'] });
    const exe = await compile(backward, device);
    expect(exe.stats.kernels.some((k) => k.dispatches === 2)).toBe(true); // a step loop, not one fused kernel
    const xs = [-0.75, -0.5, 0.125, -0.25];
    const out = await exe.run({ xs, c0: [1.875] });
    expect(toArray(out.isMax!)).toEqual([0, 1, 1, 0]);
    const sech2 = (x: number) => 1 - Math.tanh(x) ** 2;
    const byHand = [0, sech2(-0.5) / 4, sech2(0.125) / 2, 0];
    toArray(out['grad/xs']!).forEach((v, k) => expect(v).toBeCloseTo(byHand[k]!, 6));
    exe.destroy();
  });

  it('plans a lower peak than one buffer per node on a deep chain', () => {
    const deep = trace((b) => {
      let x = b.input('x', [1000]);
      const w = b.input('w', [1000, 1000]);
      // Matmuls force a buffer per stage; the planner must reuse them.
      for (let k = 0; k < 12; k++) x = x.reshape([1, 1000]).matmul(w).reshape([1000]).tanh();
      return { y: x };
    });
    const program = compileProgram(deep, { maxStorageBufferBindingSize: 1 << 27, maxStorageBuffersPerShaderStage: 8 });
    expect(program.memory.plannedPeakBytes).toBeLessThan(program.memory.unsharedBytes);
    // Resident: x, w and y; temporaries: two alternating buffers at most for the chain.
    expect(program.memory.plannedPeakBytes - program.memory.residentBytes).toBeLessThanOrEqual(2 * 4000);
  });

  it('rejects a tensor larger than the largest storage binding at compile time, naming the node', () => {
    const big = trace((b) => ({ y: b.scope('encoder', () => b.input('x', [1024, 1024]).add(1).mul(2)) }));
    let error: unknown;
    try {
      compileProgram(big, { maxStorageBufferBindingSize: 1 << 20, maxStorageBuffersPerShaderStage: 8 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpikeflowError);
    expect((error as SpikeflowError).code).toBe('device');
    expect((error as Error).message).toMatch(/at 'x'|at 'encoder\/(add|mul)'/);
    expect((error as Error).message).toContain(`${1 << 20} bytes`);
  });

  it('rejects feeds of the wrong shape before writing anything', async () => {
    const { device } = deviceOf(acquired);
    const exe = await compile(trace((b) => ({ y: b.input('x', [2, 3]).mul(b.input('k', [3])) })), device);
    await expect(exe.run({ x: [1, 2, 3], k: [1, 1, 1] })).rejects.toThrow(/inputs\.x.*expected 6 elements; found 3/);
    await expect(exe.run({ x: [1, 2, 3, 4, 5, 6] })).rejects.toThrow(/missing input 'k'/);
    await expect(exe.run({ x: [1, 2, 3, 4, 5, 6], k: [1, 1, 1], z: [0] })).rejects.toThrow(/inputs\.z/);
    const out = await exe.run({ x: [1, 2, 3, 4, 5, 6], k: [1, 10, 100] });
    expect(toArray(out.y!)).toEqual([1, 20, 300, 4, 50, 600]);
    exe.destroy();
  });

  it('looks input names up as own properties: an input named like an Object method is still missing when not fed', async () => {
    const { device } = deviceOf(acquired);
    const exe = await compile(trace((b) => ({ y: b.input('toString', [2]).mul(2) })), device);
    await expect(exe.run({})).rejects.toThrow(/missing input 'toString'/);
    // A caller's own Float32Array is uploaded and left unchanged.
    const x = new Float32Array([1.5, -2]);
    expect(toArray((await exe.run({ toString: x })).y!)).toEqual([3, -4]);
    expect(Array.from(x)).toEqual([1.5, -2]);
    exe.destroy();
  });

  it('rejects integer and bool feeds the dtype cannot hold, as the CPU interpreter does', async () => {
    const { device } = deviceOf(acquired);
    const g = trace((b) => ({ y: b.input('i', [2], 'i32').add(b.input('u', [2], 'u32').cast('i32')).add(b.input('m', [2], 'bool').cast('i32')) }));
    const exe = await compile(g, device);
    const good = { i: [3, -4], u: [5, 6], m: [1, 0] };
    await expect(exe.run({ ...good, i: [3, 2.7] })).rejects.toThrow("[feed] at 'inputs.i[1]': 2.7 is not an integer");
    await expect(exe.run({ ...good, u: [-1, 6] })).rejects.toThrow("[feed] at 'inputs.u[0]': -1 is out of range for u32");
    await expect(exe.run({ ...good, m: [2, 0] })).rejects.toThrow("[feed] at 'inputs.m[0]': 2 is not a bool");
    await expect(exe.run({ ...good, i: tensor([2], [1, 2], 'i32'), m: { type: { shape: [2], dtype: 'bool' }, data: new Uint8Array(3) } })).rejects.toThrow(
      "[feed] at 'inputs.m': fed tensor's data does not fill its shape; expected 2 elements; found 3",
    );
    // Hand-worked (3 + 5 + 1, -4 + 6 + 0), and the CPU interpreter agrees.
    expect(toArray((await exe.run(good)).y!)).toEqual([9, 2]);
    expect(toArray(evaluate(g, { inputs: good }).outputs.y!)).toEqual([9, 2]);
    expect(() => evaluate(g, { inputs: { ...good, u: [-1, 6] } })).toThrow("[feed] at 'inputs.u[0]': -1 is out of range for u32");
    exe.destroy();
  });

  it('never puts user names into WGSL: names crafted to break a shader compile and run', async () => {
    const { device } = deviceOf(acquired);
    const evil = '*/ } fn main() { @group(0) var x; // \u0000';
    const g = trace((b) => {
      const x = b.input(evil, [4]);
      return { [evil]: b.scope('} ;', () => x.mul(2).add(b.param('w', [4], { kind: 'ones' }))) };
    });
    const sources: string[] = [];
    const exe = await compile(g, device, { debug: (_, wgsl) => sources.push(wgsl) });
    expect(sources.length).toBeGreaterThan(0);
    for (const wgsl of sources) {
      expect(wgsl).not.toContain('*/');
      expect(wgsl).not.toContain('} ;');
    }
    const out = await exe.run({ [evil]: [1, 2, 3, 4] });
    expect(toArray(out[evil]!)).toEqual([3, 5, 7, 9]);
    exe.destroy();
  });

  it('keeps state on the GPU between calls and updates it in place', async () => {
    const { device } = deviceOf(acquired);
    const g = trace((b) => {
      const total = b.state('total', [3]);
      const next = total.add(b.input('x', [3]));
      b.setState(total, next);
      return { total: next };
    });
    const exe = await compile(g, device);
    exe.submit({ x: [1, 2, 3] });
    const second = await exe.run({ x: [10, 20, 30] });
    expect(toArray(second.total!)).toEqual([11, 22, 33]);
    expect(toArray((await exe.readState()).total!)).toEqual([11, 22, 33]);
    exe.resetState();
    expect(toArray((await exe.run({ x: [1, 1, 1] })).total!)).toEqual([1, 1, 1]);
    exe.destroy();
  });
});
