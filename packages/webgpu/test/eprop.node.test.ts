// e-prop's online graph (forward scan carrying eligibility traces and summed updates) on WebGPU
// against the CPU interpreter, and what the scan compiles to.
import { evaluate, initParams, isOp, tensor, type Graph, type HostTensor, type NodeId } from '@spikeflow/core';
import { alifNeuron, eprop, lifNeuron, onlineNetwork, type OnlineNetworkOptions } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { isFusible } from '../src/codegen/wgsl-rules.js';
import { wgslPartition } from '../src/compiler/wgsl-partition.js';
import { simplify } from '@spikeflow/core';
import { compile, compileProgram, type LoopStep, type Program } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU e-prop tests');

const [T, B, I, N, C] = [30, 4, 6, 10, 3];

const cases: readonly { label: string; options: Pick<OnlineNetworkOptions, 'neuron' | 'neuronAttrs'> }[] = [
  // Soft reset, detached: the Jacobian is the same number for every neuron, so the traces are presynaptic [B, N_pre].
  { label: 'LIF (factorised traces)', options: { neuron: lifNeuron, neuronAttrs: { tau: 4, vReset: null, vThreshold: 0.6 } } },
  // Adaptive threshold: per-synapse eligibility vectors [B, N_pre, N_post] for v, a, z, r.
  { label: 'ALIF (full traces)', options: { neuron: alifNeuron, neuronAttrs: { tauM: 10, tauA: 30, beta: 0.8, b0: 0.3, nRef: 2 } } },
];

const networkOf = (options: Pick<OnlineNetworkOptions, 'neuron' | 'neuronAttrs'>) =>
  onlineNetwork({ ...options, inputs: I, hidden: N, outputs: C, steps: T, batch: B, readoutDecay: 0.8, inputScale: 3, rateRegularization: { target: 0.05, weight: 0.2 } });

/** The kernels of the program's one step loop, by kind, and the loop's length. */
function stepLoopKernels(program: Program): { times: number; kinds: Record<string, number> } {
  const loops = program.steps.filter((s): s is LoopStep => s.kind === 'loop');
  expect(loops).toHaveLength(1);
  const kinds: Record<string, number> = {};
  for (const s of loops[0]!.body) if (s.kind === 'kernel') kinds[s.source.kind] = (kinds[s.source.kind] ?? 0) + 1;
  return { times: loops[0]!.times.length, kinds };
}

/**
 * The elementwise kernels of a scan body that fusion could still merge: a fusible kernel root
 * whose only reader is one other elementwise kernel and that the body does not return. The
 * partitioner materializes an elementwise value only when a non-elementwise kernel (matmul,
 * reduction) reads it, several kernels read it, or it is a carry or an output.
 */
function unfusedChains(body: Graph, maxBindings: number): NodeId[] {
  const part = wgslPartition(body, maxBindings);
  const returned = new Set(body.outputs.map((o) => part.aliases.get(o.node) ?? o.node));
  const readers = new Map<NodeId, Set<NodeId>>();
  for (const [root, loads] of part.loads) for (const l of loads) readers.set(part.aliases.get(l) ?? l, (readers.get(part.aliases.get(l) ?? l) ?? new Set()).add(root));
  return [...part.fused.keys()].filter((root) => {
    const node = body.nodes[root]!;
    const by = [...(readers.get(root) ?? [])];
    return isFusible(node.op) && !returned.has(root) && by.length === 1 && isFusible(body.nodes[by[0]!]!.op);
  });
}

describe('e-prop: what the training step compiles to', () => {
  // 16 storage buffers per kernel (8, the WebGPU minimum, splits one more of ALIF's kernels).
  const LIMITS = { maxStorageBufferBindingSize: 1 << 30, maxStorageBuffersPerShaderStage: 16 };
  // Per step: matmuls for the input (x_t, from packed bits: a spike matmul), recurrent, readout
  // and feedback products; reductions for the softmax, the loss and the rate regulariser. LIF's
  // factorised updates are batch contractions (matmuls, one more with x_t), ALIF's per-synapse
  // eligibility vectors [B, N_pre, N_post] are batch sums (reductions) of elementwise products.
  const expected = [
    { label: 'LIF', kinds: { elementwise: 28, 'matmul-spike': 2, 'matmul-narrow': 7, reduce: 9 }, total: 46 },
    { label: 'ALIF', kinds: { elementwise: 39, 'matmul-spike': 1, 'matmul-narrow': 4, reduce: 11 }, total: 55 },
  ];
  for (const c of cases) {
    const want = expected.find((e) => c.label.startsWith(e.label))!;
    it(`${c.label}: one step loop of ${want.total} kernels, its elementwise work fused as far as the partitioner allows`, () => {
      const net = networkOf(c.options);
      const g = eprop(net).updateGraph(net.model, { loss: 'loss', wrt: Object.values(net.params) });
      const program = compileProgram(g, LIMITS, { spikeInputs: ['x', 'mask'] });
      const { times, kinds } = stepLoopKernels(program);
      expect(times).toBe(T);
      expect(kinds).toEqual(want.kinds);
      expect(Object.values(kinds).reduce((a, b) => a + b, 0)).toBe(want.total);
      const bodies = Object.values(simplify(g).nodes).flatMap((n) => (isOp(n, 'scan') ? [n.attrs.body] : []));
      expect(bodies).toHaveLength(1);
      expect(unfusedChains(simplify(bodies[0]!), LIMITS.maxStorageBuffersPerShaderStage)).toEqual([]);
    });
  }
});

describe.skipIf(skip)('e-prop on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  // Each case as is, and LIF with x and the mask declared spike inputs (the step loop reads them packed).
  const runs = [...cases.map((c) => ({ c, spikeInputs: [] as string[] })), { c: cases[0]!, spikeInputs: ['x', 'mask'] }];
  for (const { c, spikeInputs } of runs) {
    it(`${c.label}${spikeInputs.length > 0 ? ', x and mask read as packed bits' : ''}: the CPU's loss and updates`, async () => {
      const { device } = deviceOf(acquired);
      const net = networkOf(c.options);
      const wrt = Object.values(net.params);
      const g = eprop(net).updateGraph(net.model, { loss: 'loss', wrt });
      const exe = await compile(g, device, { spikeInputs });
      if (spikeInputs.length > 0) expect(exe.stats.kernels.filter((k) => k.kind === 'matmul-spike').map((k) => k.dispatches)).toEqual([T, T]);
      const kernels = exe.stats.kernels;
      const looped = kernels.filter((k) => k.dispatches > 1);
      console.log(
        `[eprop webgpu] ${c.label}: ${kernels.length} kernels, ${looped.length} of them run once per step (${T} steps); fused scans: ${kernels.filter((k) => k.kind === 'scan-fused').length}; kinds per step: ${[...new Set(looped.map((k) => k.kind))].join(', ')}`,
      );
      // The body holds matmuls (recurrent input, readout, feedback, the updates' batch contraction), so the scan is a step loop.
      expect(looped.length).toBeGreaterThan(0);
      const feeds: Record<string, HostTensor> = {
        x: tensor([T, B, I], testData(1, T * B * I, 0, 1).map((u) => Number(u < 0.3))),
        targets: tensor([T, B], Array.from({ length: T * B }, (_, k) => k % C), 'i32'),
        mask: tensor([T, B], Array.from({ length: T * B }, (_, k) => Number(k >= (T * B) / 2))),
      };
      const params = initParams(g, { seed: 3 });
      const cpu = evaluate(g, { inputs: feeds, params }).outputs;
      exe.setParams(params);
      const gpu = await exe.run(feeds);
      // The readout's update z̄ᵀδ is zero unless the neurons fire.
      expect(Math.max(...Array.from(cpu[`grad/${net.params.readout!}`]!.data, Math.abs))).toBeGreaterThan(1e-3);
      for (const name of ['loss', 'scores', ...wrt.map((w) => `grad/${w}`)]) {
        const err = scaledMaxError(gpu[name]!, cpu[name]!);
        console.log(`[eprop webgpu] ${c.label} ${name}: scaled max error ${err.toExponential(2)}`);
        expect(err, name).toBeLessThan(1e-4);
      }
      exe.destroy();
    }, 300_000);
  }
});
