// A scan whose body holds matmuls runs as a step loop; its spike-train sequences are read from
// the packed bits in every step (one step's slice at `t · stride` bits), so the fed batch costs a
// 32nd of float32. Checked against the CPU interpreter and the unpacked compile, with the planned
// buffer sizes.
import { grad, gradName } from '@spikeflow/autodiff';
import { evaluate, toArray, trace, type Graph, type HostTensor } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileProgram, type CompileOptions, type Program } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU step-loop spike packing tests');
const LIMITS = { maxStorageBufferBindingSize: 1 << 30, maxStorageBuffersPerShaderStage: 8 };
const TOLERANCE = 1e-4;

// B · I = 135 bits per step: no slice after the first starts on a word boundary.
const [T, B, I, H] = [9, 3, 45, 20];
const X_FLOAT_BYTES = 4 * T * B * I;
const X_PACKED_BYTES = 4 * Math.ceil((T * B * I) / 32);

/**
 * A recurrent LIF layer whose body reads x_t three ways: as the left operand of x_t · W (the
 * spike matmul), transposed in x_tᵀ · s (a per-step outer product, summed in a carry), and
 * elementwise in a presynaptic trace. With `returnX` the body also stacks x_t as a per-step
 * output, which a step loop copies out as floats, so x cannot be packed.
 */
function recurrentLayer(returnX = false): Graph {
  return trace((b) => {
    const x = b.input('x', [T, B, I]);
    const w = b.param('w', [I, H], { kind: 'uniform', low: -0.5, high: 0.5 });
    const r = b.param('r', [H, H], { kind: 'uniform', low: -0.3, high: 0.3 });
    const { outputs, carries } = b.scan({
      carries: [b.constant(0, [B, H]), b.constant(0, [B, H]), b.constant(0, [B, I]), b.constant(0, [I, H])],
      sequences: [x],
      consts: [w, r],
      body: (_, [v, s, trace, outer], [xt], [wc, rc]) => {
        const charged = v!.mul(0.8).add(xt!.matmul(wc!)).add(s!.matmul(rc!));
        const spikes = charged.sub(0.5).spike('atan');
        const nextTrace = trace!.mul(0.7).add(xt!);
        const nextOuter = outer!.add(xt!.matmul(spikes, { transposeA: true }));
        return { carries: [charged.mul(spikes.stopGradient().neg().add(1)), spikes, nextTrace, nextOuter], outputs: [spikes, ...(returnX ? [xt!.mul(1)] : [])] };
      },
    });
    return { loss: outputs[0]!.mean(0).mul(carries[2]!.sum(1, true)).sum().add(carries[3]!.mul(0.01).sum()), trace: carries[2]!, outer: carries[3]!, ...(returnX ? { echo: outputs[1]! } : {}) };
  });
}

const feeds = { x: testData(1, T * B * I, 0, 1).map((u) => Number(u < 0.25)) };
const params = { w: testData(2, I * H, -0.4, 0.6), r: testData(3, H * H, -0.3, 0.3) };

const xValue = (program: Program) => program.values.get(program.inputs.find((i) => i.name === 'x')!.value)!;
const xSlotBytes = (program: Program) => program.slotBytes[program.slots.get(xValue(program).id)!]!;

describe('step-loop scans over spike inputs: the plan', () => {
  it('stores a declared spike input a step loop reads as packed words, and the plan shrinks by the difference', () => {
    const g = recurrentLayer();
    const packed = compileProgram(g, LIMITS, { spikeInputs: ['x'] });
    const plain = compileProgram(g, LIMITS, { spikeInputs: ['x'], packSpikes: false });
    expect(packed.steps.some((s) => s.kind === 'loop')).toBe(true);
    expect(xValue(packed).packed).toBe(true);
    expect(xSlotBytes(packed)).toBe(X_PACKED_BYTES);
    expect(xSlotBytes(plain)).toBe(X_FLOAT_BYTES);
    expect(plain.memory.plannedPeakBytes - packed.memory.plannedPeakBytes).toBe(X_FLOAT_BYTES - X_PACKED_BYTES);
  });

  it('keeps x float32 where the body returns its slice (a step loop copies outputs as floats)', () => {
    const program = compileProgram(recurrentLayer(true), LIMITS, { spikeInputs: ['x'] });
    expect(xValue(program).packed).toBeUndefined();
    expect(xSlotBytes(program)).toBe(X_FLOAT_BYTES);
  });
});

describe.skipIf(skip)('step-loop scans over spike inputs on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  async function run(graph: Graph, options: CompileOptions) {
    const exe = await compile(graph, deviceOf(acquired).device, options);
    exe.setParams(params);
    const out = await exe.run(feeds);
    const { stats } = exe;
    exe.destroy();
    return { out, stats };
  }

  const expectClose = (got: Record<string, HostTensor>, want: Record<string, HostTensor>, names: readonly string[]) => {
    for (const name of names) expect(scaledMaxError(got[name]!, want[name]!), name).toBeLessThan(TOLERANCE);
  };

  it('gives the CPU interpreter numbers, reading x packed in every step (forward)', async () => {
    const g = recurrentLayer();
    const cpu = evaluate(g, { inputs: feeds, params }).outputs;
    const skipping = await run(g, { spikeInputs: ['x'] });
    const dense = await run(g, { spikeInputs: ['x'], skipSpikeZeros: false });
    const plain = await run(g, { packSpikes: false });
    // x_t · W visits x_t's spikes, and so does x_tᵀ · s, once per step.
    expect(skipping.stats.kernels.filter((k) => k.kind === 'matmul-spike').map((k) => k.dispatches)).toEqual([T, T]);
    expect(dense.stats.kernels.some((k) => k.kind === 'matmul-spike')).toBe(false);
    // Reading bits instead of floats changes no value; skipping zeros only reorders sums.
    for (const name of Object.keys(plain.out)) expect(Array.from(toArray(dense.out[name]!)), name).toEqual(Array.from(toArray(plain.out[name]!)));
    expect(Array.from(toArray(skipping.out.trace!))).toEqual(Array.from(toArray(cpu.trace!)));
    expectClose(skipping.out, cpu, ['loss', 'outer']);
    expectClose(dense.out, cpu, ['loss', 'outer']);
  });

  it('gives the CPU interpreter gradients when BPTT reads x and the saved spikes packed in its backward step loop', async () => {
    const g = grad(recurrentLayer(), { of: 'loss', wrt: ['w', 'r'] });
    const program = compileProgram(g, LIMITS, { spikeInputs: ['x'] });
    expect(xSlotBytes(program)).toBe(X_PACKED_BYTES);
    // The forward's spikes [T, B, H], which the backward loop reads per step, are stored as bits too.
    expect(program.memory.savedSpikeBytes).toBe(X_PACKED_BYTES + 4 * Math.ceil((T * B * H) / 32));
    const cpu = evaluate(g, { inputs: feeds, params }).outputs;
    const packed = await run(g, { spikeInputs: ['x'] });
    const plain = await run(g, { packSpikes: false, skipSpikeZeros: false });
    expect(packed.stats.kernels.filter((k) => k.kind === 'spike-pack').length).toBeGreaterThan(0);
    expectClose(packed.out, cpu, ['loss', gradName('w'), gradName('r')]);
    expectClose(plain.out, cpu, ['loss', gradName('w'), gradName('r')]);
  });

  it('reads x as floats where it cannot pack it, with the same numbers', async () => {
    const g = recurrentLayer(true);
    const cpu = evaluate(g, { inputs: feeds, params }).outputs;
    const { out } = await run(g, { spikeInputs: ['x'] });
    expect(Array.from(toArray(out.echo!))).toEqual(Array.from(toArray(cpu.echo!)));
    expectClose(out, cpu, ['loss', 'outer']);
  });
});
