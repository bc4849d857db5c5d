// Bit-packed spike storage and zero-skipping spike matmuls: which tensors are proven spike trains,
// that packing changes no value (against the CPU reference and the unpacked compile), that it
// cuts the saved spike bytes ~32x, and that matmuls skipping zero spikes agree to the tolerance.
import { grad, gradName } from '@spikeflow/autodiff';
import { evaluate, SpikeflowError, toArray, trace, type Graph, type GraphBuilder, type HostTensor, type Tensor } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { simplify } from '@spikeflow/core';
import { compile, compileProgram, spikeTrains, type CompileOptions, type Executable } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU spike packing tests');
const LIMITS = { maxStorageBufferBindingSize: 1 << 30, maxStorageBuffersPerShaderStage: 8 };
const TOLERANCE = 1e-4;

/** Multi-step LIF over h [T, ...] (decay_input, hard reset to 0, detached): the spikes [T, ...]. */
function lif(b: GraphBuilder, h: Tensor): Tensor {
  const { outputs } = b.scan({
    carries: [b.constant(0, h.shape.slice(1))],
    sequences: [h],
    body: (_, [v], [ht]) => {
      const charged = v!.add(ht!.sub(v!).div(2));
      const s = charged.sub(1).spike('atan');
      return { carries: [charged.mul(s.stopGradient().neg().add(1))], outputs: [s] };
    },
  });
  return outputs[0]!;
}

/** W1's shape at a small size: x [T, B, I] spikes -> LIF(x @ w1) -> LIF(s1 @ w2), rate-coded cross-entropy stand-in. */
function spikingMlp(T: number, B: number, I: number, H: number, O: number, outputSpikes = true): Graph {
  return trace((b) => {
    const x = b.input('x', [T, B, I]);
    const g = b.input('g', [B, O]);
    const w1 = b.param('w1', [I, H], { kind: 'uniform', low: -0.5, high: 0.5 });
    const w2 = b.param('w2', [H, O], { kind: 'uniform', low: -0.8, high: 0.8 });
    const s1 = lif(b, x.reshape([T * B, I]).matmul(w1).reshape([T, B, H]));
    const s2 = lif(b, s1.reshape([T * B, H]).matmul(w2).reshape([T, B, O]));
    return { loss: s2.mean(0).mul(g).sum(), rate: s1.mean(), ...(outputSpikes ? { s1 } : {}) };
  });
}

/**
 * s = spike(x), read by two kernels (a max, then s · max(s)) and as the initial carry of a
 * 3-step scan doubling it. With `stepLoop` the body also stacks c reshaped to [1, 3], so the scan
 * cannot be one elementwise kernel and runs as a step loop, which copies its inputs as plain
 * f32 buffers. For x = [-1, 2, 0.5]: s = [0, 1, 1], r = [0, 1, 1] and y = s · 2³ = [0, 8, 8].
 */
function spikesIntoScan(stepLoop: boolean): Graph {
  return trace((b) => {
    const x = b.input('x', [3]);
    const s = x.spike();
    const { carries } = b.scan({
      carries: [s],
      sequences: [],
      length: 3,
      body: (_, [c]) => ({ carries: [c!.mul(2)], outputs: stepLoop ? [c!.reshape([1, 3])] : [] }),
    });
    return { r: s.mul(s.max(0)), y: carries[0]! };
  });
}
const SPIKES_INTO_SCAN = { feeds: { x: [-1, 2, 0.5] }, r: [0, 1, 1], y: [0, 8, 8] };

/** Bernoulli(rate) 0/1 spikes from the test generator. */
const spikes = (seed: number, n: number, rate: number): number[] => testData(seed, n, 0, 1).map((u) => (u < rate ? 1 : 0));

describe('spike train analysis', () => {
  it('proves spikes, bool casts, where(c, 1, 0), scan outputs of spikes and their views; nothing else', () => {
    const g = simplify(
      trace((b) => {
        const x = b.input('x', [4, 3]);
        const s = x.spike();
        const fromBool = x.greater(0.5).cast('f32');
        const selected = b.where(x.less(0), b.constant(1, [4, 3]), b.constant(0, [4, 3]));
        const notS = b.constant(1, [4, 3]).sub(s);
        const scaled = b.where(x.less(0), x, b.constant(0, [4, 3]));
        const { outputs, carries } = b.scan({
          carries: [b.constant(0, [3])],
          sequences: [x],
          body: (_, [v], [xt]) => ({ carries: [v!.add(xt!)], outputs: [v!.add(xt!).spike(), v!.add(xt!)] }),
        });
        return {
          s: s.transpose([1, 0]),
          fromBool,
          selected,
          notS,
          and: s.mul(fromBool),
          sum: s.add(fromBool),
          scaled,
          stacked: outputs[0]!.reshape([12]),
          membrane: outputs[1]!,
          carry: carries[0]!,
          x: x.mul(1.5),
        };
      }),
    );
    const proven = spikeTrains(g);
    const isProven = (name: string) => proven.has(g.outputs.find((o) => o.name === name)!.node);
    for (const name of ['s', 'fromBool', 'selected', 'notS', 'and', 'stacked']) expect(isProven(name), name).toBe(true);
    for (const name of ['sum', 'scaled', 'membrane', 'carry', 'x']) expect(isProven(name), name).toBe(false);
  });

  it('proves a scan carry that stays a spike train (greatest fixed point) and one that does not', () => {
    const g = simplify(
      trace((b) => {
        const x = b.input('x', [5, 3]);
        const { carries } = b.scan({
          carries: [b.constant(0, [3]), b.constant(1, [3])],
          sequences: [x],
          // Carry 0 latches any spike (max of spikes); carry 1 counts (1 + 1 = 2).
          body: (_, [latch, count], [xt]) => ({ carries: [latch!.maximum(xt!.spike()), count!.add(xt!.spike())], outputs: [] }),
        });
        return { latch: carries[0]!.neg(), count: carries[1]!.neg() };
      }),
    );
    const proven = spikeTrains(g);
    const producer = (name: string) => g.nodes[g.outputs.find((o) => o.name === name)!.node]!.inputs[0]!;
    expect(proven.has(producer('latch'))).toBe(true);
    expect(proven.has(producer('count'))).toBe(false);
  });

  it('packs the spikes BPTT saves, ~32x smaller, and plans their bytes', () => {
    const T = 16;
    const B = 8;
    const gradient = grad(spikingMlp(T, B, 40, 64, 5, false), { of: 'loss', wrt: ['w1', 'w2'] });
    const plain = compileProgram(gradient, LIMITS, { packSpikes: false });
    const packed = compileProgram(gradient, LIMITS);
    // s1 [T, B, 64] is read by the forward's second matmul and by dW2 in the backward; s2
    // [T, B, 5] by the firing rate and by its layer's backward scan (the reset's 1 - s).
    const sizes = [T * B * 64, T * B * 5];
    expect(plain.memory.savedSpikeBytes).toBe(4 * (sizes[0]! + sizes[1]!));
    const words = sizes.map((n) => 4 * Math.ceil(n / 32));
    expect(packed.memory.savedSpikeBytes).toBe(words[0]! + words[1]!);
    expect(packed.memory.savedSpikeBytes).toBeLessThan(plain.memory.savedSpikeBytes / 31);
    const packedValues = [...packed.values.values()].filter((v) => v.packed === true);
    expect(packedValues.map((v) => v.bytes).sort((a, b) => b - a)).toEqual(words);
    expect(packed.steps.filter((s) => s.kind === 'kernel' && s.source.kind === 'spike-pack')).toHaveLength(2);
  });

  it('packs a spike train a one-kernel scan reads, and not one a step-loop scan copies as f32', () => {
    const packedIds = (g: Graph) => [...compileProgram(g, LIMITS).values.values()].filter((v) => v.packed === true).map((v) => v.id);
    const spikeNode = (g: Graph) => Object.values(simplify(g).nodes).find((n) => n.op === 'spike')!.id;
    const oneKernel = spikesIntoScan(false);
    expect(packedIds(oneKernel)).toEqual([spikeNode(oneKernel)]);
    expect(packedIds(spikesIntoScan(true))).toEqual([]);
  });

  it('rejects an unknown spike input, naming it', () => {
    const g = trace((b) => ({ y: b.input('x', [4]).mul(2) }));
    expect(() => compileProgram(g, LIMITS, { spikeInputs: ['z'] })).toThrow(SpikeflowError);
    expect(() => compileProgram(g, LIMITS, { spikeInputs: ['z'] })).toThrow(/spikeInputs\.z/);
  });
});

describe.skipIf(skip)('bit-packed spikes on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  async function runWith(graph: Graph, options: CompileOptions, feeds: Record<string, number[]>, params: Record<string, number[]>): Promise<{ out: Record<string, HostTensor>; exe: Executable }> {
    const exe = await compile(graph, deviceOf(acquired).device, options);
    exe.setParams(params);
    const out = await exe.run(feeds);
    exe.destroy();
    return { out, exe };
  }

  // Sizes on purpose: T·B·H = 7·3·37 is no multiple of 32, and no side is a multiple of a workgroup.
  const [T, B, I, H, O] = [7, 3, 45, 37, 5];
  const mlp = spikingMlp(T, B, I, H, O);
  const gradient = grad(mlp, { of: 'loss', wrt: ['w1', 'w2'] });
  const feeds = { x: spikes(1, T * B * I, 0.2), g: testData(2, B * O, -1, 1) };
  const params = { w1: testData(3, I * H, -0.45, 0.55), w2: testData(4, H * O, -0.8, 0.9) };

  it('changes no value: packed equals unpacked bit for bit, and the CPU reference', async () => {
    const packed = await runWith(gradient, { skipSpikeZeros: false }, feeds, params);
    const plain = await runWith(gradient, { packSpikes: false }, feeds, params);
    expect(packed.exe.stats.kernels.some((k) => k.kind === 'spike-pack')).toBe(true);
    expect(plain.exe.stats.kernels.some((k) => k.kind === 'spike-pack')).toBe(false);
    for (const name of Object.keys(plain.out)) expect(Array.from(toArray(packed.out[name]!)), name).toEqual(Array.from(toArray(plain.out[name]!)));
    const rate = toArray(packed.out.rate!)[0]!;
    expect(rate).toBeGreaterThan(0.03);
    expect(rate).toBeLessThan(0.5);
    const cpu = evaluate(gradient, { inputs: feeds, params }).outputs;
    expect(Array.from(toArray(packed.out.s1!))).toEqual(Array.from(toArray(cpu.s1!)));
    for (const name of ['loss', gradName('w1'), gradName('w2')]) expect(scaledMaxError(packed.out[name]!, cpu[name]!), name).toBeLessThan(TOLERANCE);
  });

  it('packs declared spike inputs on the host and skips their zeros in matmuls, within the tolerance', async () => {
    // x @ w and its weight gradient xᵀ @ g (x read transposed).
    const [M, K, N] = [45, 77, 10];
    const product = trace((b) => {
      const x = b.input('x', [M, K]);
      const w = b.param('w', [K, N], { kind: 'zeros' });
      const y = x.matmul(w);
      return { loss: y.mul(b.input('g', [M, N])).sum(), y };
    });
    const g = grad(product, { of: 'loss', wrt: ['w'] });
    const data = { x: spikes(5, M * K, 0.15), g: testData(6, M * N, -1, 1) };
    const weights = { w: testData(7, K * N, -1, 1) };
    const skipping = await runWith(g, { spikeInputs: ['x'] }, data, weights);
    const dense = await runWith(g, { spikeInputs: ['x'], skipSpikeZeros: false }, data, weights);
    const plain = await runWith(g, {}, data, weights);
    expect(skipping.exe.stats.kernels.filter((k) => k.kind === 'matmul-spike')).toHaveLength(2);
    expect(dense.exe.stats.kernels.some((k) => k.kind === 'matmul-spike')).toBe(false);
    expect(skipping.exe.stats.savedSpikeBytes).toBe(4 * Math.ceil((M * K) / 32));
    // Reading packed x densely changes nothing; skipping zeros only reorders sums.
    for (const name of ['y', gradName('w')]) {
      expect(Array.from(toArray(dense.out[name]!)), name).toEqual(Array.from(toArray(plain.out[name]!)));
      expect(scaledMaxError(skipping.out[name]!, plain.out[name]!), name).toBeLessThan(TOLERANCE);
    }
    const cpu = evaluate(g, { inputs: data, params: weights }).outputs;
    for (const name of ['y', gradName('w')]) expect(scaledMaxError(skipping.out[name]!, cpu[name]!), name).toBeLessThan(TOLERANCE);
  });

  it('computes the spiking MLP gradient with packed spike inputs and zero skipping as without them', async () => {
    const options = [{ spikeInputs: ['x'] }, { packSpikes: false, skipSpikeZeros: false }] as const;
    const [fast, reference] = await Promise.all(options.map((o) => runWith(gradient, o, feeds, params)));
    // x·w1 and xᵀ·dH1 (x a spike input); s1 is an output here, so it stays float32 and dense.
    expect(fast!.exe.stats.kernels.filter((k) => k.kind === 'matmul-spike').map((k) => k.label)).toEqual(['matmul', 'grad/matmul/matmul']);
    for (const name of Object.keys(reference!.out)) expect(scaledMaxError(fast!.out[name]!, reference!.out[name]!), name).toBeLessThan(TOLERANCE);
  });

  it('packs a spike train made by a reduction (a max of spikes) and a fused kernel alike', async () => {
    const g = trace((b) => {
      const x = b.input('x', [6, 40]);
      const w = b.input('w', [40, 40]);
      const fired = x.spike().max(0, true); // [1, 40]: whether each unit ever fired
      const silent = b.constant(1, [1, 40]).sub(fired);
      const twice = fired.matmul(w).matmul(w);
      return { y: twice.add(fired).mul(silent.matmul(w)).add(silent) };
    });
    const data = { x: testData(9, 240, -3, 1), w: testData(10, 1600, -1, 1) };
    const program = compileProgram(g, LIMITS);
    expect([...program.values.values()].filter((v) => v.packed === true)).toHaveLength(2);
    const packed = await runWith(g, { skipSpikeZeros: false }, data, {});
    const plain = await runWith(g, { packSpikes: false }, data, {});
    expect(Array.from(toArray(packed.out.y!))).toEqual(Array.from(toArray(plain.out.y!)));
    expect(scaledMaxError(packed.out.y!, evaluate(g, { inputs: data }).outputs.y!)).toBeLessThan(TOLERANCE);
  });

  it('feeds a scan the spike train other kernels read packed, as a step loop and as one kernel', async () => {
    for (const stepLoop of [true, false]) {
      const { out } = await runWith(spikesIntoScan(stepLoop), {}, SPIKES_INTO_SCAN.feeds, {});
      expect(Array.from(toArray(out.r!)), `r, step loop ${stepLoop}`).toEqual(SPIKES_INTO_SCAN.r);
      expect(Array.from(toArray(out.y!)), `y, step loop ${stepLoop}`).toEqual(SPIKES_INTO_SCAN.y);
    }
  });

  it('keeps a spike train float32 when a step-loop scan reads it, whatever else reads it later', async () => {
    // s is read by two kernels far apart (worth packing) and is the carry init of a scan whose
    // matmul body runs as a step loop, which copies its inputs as plain buffers.
    const g = trace((b) => {
      const x = b.input('x', [6]);
      const w = b.input('w', [6, 6]);
      const s = x.spike();
      const late = s.reshape([1, 6]).matmul(w).matmul(w).reshape([6]).add(s);
      const { carries } = b.scan({
        length: 3,
        carries: [s],
        consts: [w],
        body: (_, [c], __, [wc]) => ({ carries: [c!.reshape([1, 6]).matmul(wc!).reshape([6]).add(c!)] }),
      });
      return { late, y: carries[0]! };
    });
    const data = { x: [0.5, 1.5, -1, 2, 1.25, 0], w: testData(11, 36, -1, 1) };
    expect([...compileProgram(g, LIMITS).values.values()].filter((v) => v.packed === true)).toHaveLength(0);
    const { out } = await runWith(g, {}, data, {});
    const cpu = evaluate(g, { inputs: data }).outputs;
    for (const name of ['late', 'y']) expect(scaledMaxError(out[name]!, cpu[name]!), name).toBeLessThan(TOLERANCE);
  });

  it('rejects a feed of a spike input holding anything but 0 and 1, naming the input', async () => {
    const g = trace((b) => ({ y: b.input('x', [40]).mul(2).sum() }));
    const exe = await compile(g, deviceOf(acquired).device, { spikeInputs: ['x'] });
    const bad = spikes(8, 40, 0.3);
    bad[33] = 0.5;
    await expect(exe.run({ x: bad })).rejects.toThrow(/inputs\.x/);
    const ok = spikes(8, 40, 0.3);
    expect(toArray((await exe.run({ x: ok })).y!)[0]).toBe(2 * ok.reduce((s, v) => s + v, 0));
    exe.destroy();
  });
});
