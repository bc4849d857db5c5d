// Loads shared across a subgroup (codegen/subgroup-loads.ts): which kernels use them, the probe
// that decides whether a device may (runtime/subgroup-width.ts), and on the GPU, every graph equal
// bit for bit between a device that shares loads and one acquired without subgroups, and to the CPU.
import { grad } from '@spikeflow/autodiff';
import { evaluate, toArray, trace, type Graph } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileLimitsOf, compileProgram, type ProgramOptions } from '../src/index.js';
import { consecutiveSubgroups, fixedSubgroupWidth, verifiedSubgroupSize } from '../src/runtime/subgroup-width.js';
import { acquireNodeDevice } from '../src/node.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { kernelSteps } from './support/program-checks.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the subgroup shared-load tests');
/** The width this run's device verified: the comparisons below need a device that shares loads. */
const verdict = 'ctx' in acquired ? await verifiedSubgroupSize(acquired.ctx.device) : undefined;
if ('ctx' in acquired && verdict === undefined) console.warn('skipping the shared-against-unshared comparisons: this device does not verify 8-wide subgroups');

/** Values on a 1/64 grid in [-1, 1]: their sums are exact in float32, in any order. */
const onGrid = (seed: number, n: number) => testData(seed, n, -1, 1).map((v) => Math.round(v * 64) / 64);
const spikes = (seed: number, n: number) => testData(seed, n, 0, 1).map((u) => (u < 0.25 ? 1 : 0));

/** A dense product with ragged tiles (threads past the edge) and one with A read transposed as vec4s. */
const dense = (m: number, k: number, n: number, transposeA: boolean) =>
  trace((g) => ({ y: g.input('a', transposeA ? [k, m] : [m, k]).matmul(g.input('b', [k, n]), { transposeA, transposeB: false }) }));

/** PSN's charge W·X + b, b broadcast along N (computed in the narrow matmul's stores). */
const psnCharge = (t: number, n: number) => trace((g) => ({ h: g.input('w', [t, t]).matmul(g.input('x', [t, n])).add(g.input('b', [t, 1])) }));

/** A batch of products sharing B, and a product with a bias added in its stores (register-blocked). */
const batched = trace((g) => ({ y: g.input('a', [3, 40, 24]).matmul(g.input('b', [24, 52])) }));
const withBias = trace((g) => ({ y: g.input('a', [130, 70]).matmul(g.input('b', [70, 200])).add(g.input('c', [200])) }));

/** A spike input times a weight, and its weight gradient (the spike train read transposed). */
function spikeProduct(m: number, k: number, n: number): Graph {
  const product = trace((b) => {
    const x = b.input('x', [m, k]);
    const w = b.param('w', [k, n], { kind: 'zeros' });
    const y = x.matmul(w);
    return { loss: y.mul(b.input('g', [m, n])).sum(), y };
  });
  return grad(product, { of: 'loss', wrt: ['w'] });
}

const limits = { maxStorageBufferBindingSize: 1 << 27, maxStorageBuffersPerShaderStage: 16, maxUniformBufferBindingSize: 65536 } as unknown as GPUSupportedLimits;
function kernelsOf(graph: Graph, subgroupSize: number | undefined, options: ProgramOptions = {}) {
  return kernelSteps(compileProgram(graph, compileLimitsOf(limits, subgroupSize), options).steps).map((s) => ({ kind: s.source.kind, shares: s.source.code.includes('subgroupBroadcast') }));
}

describe('which kernels share loads (plans, no device)', () => {
  it('the register-blocked matmul shares its rows of A, plain and transposed, only with a verified width of 8', () => {
    for (const transposeA of [false, true]) {
      expect(kernelsOf(dense(130, 70, 200, transposeA), 8)).toEqual([{ kind: 'matmul-register', shares: true }]);
      expect(kernelsOf(dense(130, 70, 200, transposeA), undefined)).toEqual([{ kind: 'matmul-register', shares: false }]);
      expect(kernelsOf(dense(130, 70, 200, transposeA), 32)).toEqual([{ kind: 'matmul-register', shares: false }]);
    }
  });

  it('the narrow matmul shares its narrow operand without a batch, few rows or few columns, not with one', () => {
    expect(kernelsOf(dense(8, 8, 1001, false), 8)).toEqual([{ kind: 'matmul-narrow', shares: true }]);
    expect(kernelsOf(dense(8, 8, 1001, true), 8)).toEqual([{ kind: 'matmul-narrow', shares: true }]);
    expect(kernelsOf(dense(509, 256, 10, false), 8)).toEqual([{ kind: 'matmul-narrow', shares: true }]);
    expect(kernelsOf(dense(8, 8, 1001, false), undefined)).toEqual([{ kind: 'matmul-narrow', shares: false }]);
    const batched = trace((g) => ({ y: g.input('a', [3, 8, 8]).matmul(g.input('b', [3, 8, 1001])) }));
    expect(kernelsOf(batched, 8)).toEqual([{ kind: 'matmul-narrow', shares: false }]);
  });

  it('the register-blocked matmul shares in a batch and with an epilogue', () => {
    expect(kernelsOf(batched, 8)).toEqual([{ kind: 'matmul-register', shares: true }]);
    expect(kernelsOf(withBias, 8)).toEqual([{ kind: 'matmul-register', shares: true }]);
  });

  it('the spike matmul shares its spike words in x·W and in the transposed weight gradient, only in 64-thread workgroups (N >= 253) and with a width', () => {
    const spikeKernels = (n: number, width: number | undefined) => kernelsOf(spikeProduct(45, 77, n), width, { spikeInputs: ['x'] }).filter((k) => k.kind === 'matmul-spike');
    expect(spikeKernels(256, 8).map((k) => k.shares)).toEqual([true, true]);
    expect(spikeKernels(256, undefined).map((k) => k.shares)).toEqual([false, false]);
    // N = 64: 16 threads, a workgroup size whose layout the probe does not check.
    expect(spikeKernels(64, 8).map((k) => k.shares)).toEqual([false, false]);
    // N = 10: four threads per workgroup, fewer than a subgroup.
    const narrow = kernelsOf(spikeProduct(45, 77, 10), 8, { spikeInputs: ['x'] }).filter((k) => k.kind === 'matmul-spike');
    expect(narrow.map((k) => k.shares)).toEqual([false, false]);
  });
});

describe('the subgroup layout probe’s verdict on its readback', () => {
  const layout = (threads: number, width: number, lane: (lid: number) => number, first: (lid: number) => number) =>
    new Uint32Array(Array.from({ length: threads }, (_, lid) => [lane(lid), width, first(lid)]).flat());

  it('accepts aligned runs of consecutive invocations', () => {
    expect(consecutiveSubgroups(layout(64, 8, (l) => l % 8, (l) => l - (l % 8)), 8)).toBe(true);
  });

  it('rejects another width, interleaved lanes, a shifted start and a readback too short to tell', () => {
    expect(consecutiveSubgroups(layout(64, 16, (l) => l % 16, (l) => l - (l % 16)), 8)).toBe(false);
    // Subgroup s holds invocations s, s + 8, s + 16, ...: lanes differ from lid % 8.
    expect(consecutiveSubgroups(layout(64, 8, (l) => Math.floor(l / 8), (l) => l % 8), 8)).toBe(false);
    expect(consecutiveSubgroups(layout(64, 8, (l) => (l + 1) % 8, (l) => l - ((l + 1) % 8)), 8)).toBe(false);
    expect(consecutiveSubgroups(layout(4, 8, (l) => l, () => 0), 8)).toBe(false);
  });
});

describe.skipIf(skip)('the subgroup width of WebGPU devices', () => {
  it('a device acquired without subgroups does not share; one with them shares exactly when its adapter reports a fixed width of 8', async () => {
    const { device } = deviceOf(acquired);
    const fixedEight = device.features.has('subgroups') && fixedSubgroupWidth(device) === 8;
    expect(await verifiedSubgroupSize(device)).toBe(fixedEight ? 8 : undefined);
    const plain = (await acquireNodeDevice({ subgroups: false })).device;
    expect(plain.features.has('subgroups')).toBe(false);
    expect(await verifiedSubgroupSize(plain)).toBeUndefined();
    plain.destroy();
  });
});

describe.skipIf(skip || verdict !== 8)('shared loads on WebGPU', () => {
  let plain: GPUDevice | undefined;
  afterAll(() => plain?.destroy());

  async function runOn(device: GPUDevice, graph: Graph, inputs: Record<string, number[]>, params: Record<string, number[]>, options: ProgramOptions) {
    const exe = await compile(graph, device, options);
    const shares = kernelSteps(exe.program.steps).some((s) => s.source.code.includes('subgroupBroadcast'));
    exe.setParams(params);
    const out = await exe.run(inputs);
    exe.destroy();
    return { shares, out: Object.fromEntries(Object.entries(out).map(([name, t]) => [name, Array.from(toArray(t))])) };
  }

  const graphs: [string, Graph, Record<string, number[]>, Record<string, number[]>, ProgramOptions][] = [
    ['dense, ragged tiles [130,70] @ [70,200]', dense(130, 70, 200, false), { a: onGrid(1, 130 * 70), b: onGrid(2, 70 * 200) }, {}, {}],
    ['dense, A transposed as vec4s [68,96]ᵀ @ [68,40]', dense(96, 68, 40, true), { a: onGrid(3, 68 * 96), b: onGrid(4, 68 * 40) }, {}, {}],
    ['dense, A transposed, M not a multiple of 4 [30,69]ᵀ @ [30,40]', dense(69, 30, 40, true), { a: onGrid(17, 30 * 69), b: onGrid(18, 30 * 40) }, {}, {}],
    ['dense, a batch sharing B [3,40,24] @ [24,52]', batched, { a: onGrid(19, 3 * 40 * 24), b: onGrid(20, 24 * 52) }, {}, {}],
    ['dense with a bias in the stores [130,70] @ [70,200] + c', withBias, { a: onGrid(21, 130 * 70), b: onGrid(22, 70 * 200), c: onGrid(23, 200) }, {}, {}],
    ['narrow, few rows, a ragged last subgroup [8,8] @ [8,1001]', dense(8, 8, 1001, false), { a: onGrid(8, 64), b: onGrid(9, 8 * 1001) }, {}, {}],
    ['narrow, few rows, A transposed [8,8]ᵀ @ [8,1001]', dense(8, 8, 1001, true), { a: onGrid(10, 64), b: onGrid(11, 8 * 1001) }, {}, {}],
    ['narrow, few columns [509,256] @ [256,10]', dense(509, 256, 10, false), { a: onGrid(12, 509 * 256), b: onGrid(13, 2560) }, {}, {}],
    ['narrow with a bias epilogue, PSN’s W·X + b [8,8] @ [8,1001]', psnCharge(8, 1001), { w: onGrid(14, 64), x: onGrid(15, 8 * 1001), b: onGrid(16, 8) }, {}, {}],
    ['spike x·W and its weight gradient, a partial row group [45,77] @ [77,256]', spikeProduct(45, 77, 256), { x: spikes(5, 45 * 77), g: onGrid(6, 45 * 256) }, { w: onGrid(7, 77 * 256) }, { spikeInputs: ['x'] }],
  ];

  it.for(graphs)('equal bit for bit with and without shared loads, and to the CPU: %s', async ([, graph, inputs, params, options]) => {
    const { device } = deviceOf(acquired);
    if (plain === undefined) plain = (await acquireNodeDevice({ subgroups: false })).device;
    const shared = await runOn(device, graph, inputs, params, options);
    const unshared = await runOn(plain, graph, inputs, params, options);
    expect(shared.shares).toBe(true);
    expect(unshared.shares).toBe(false);
    expect(shared.out).toEqual(unshared.out);
    const cpu = evaluate(graph, { inputs, params }).outputs;
    for (const name of Object.keys(cpu)) expect(shared.out[name], name).toEqual(Array.from(toArray(cpu[name]!)));
  });

});
