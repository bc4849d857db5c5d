import { grad, savedTensorStats } from '@spikeflow/autodiff';
import type { Graph } from '@spikeflow/core';
import { hoistSequenceWork, simplify } from '@spikeflow/core';
import { compileLimitsOf, compileProgram, type Program, type ProgramOptions } from '@spikeflow/webgpu';
import type { Suite } from '../context.js';
import { row, type Row } from '../harness/row.js';
import { LIF_MLP, LIF_MLP_PARAMS, lifMlpModel } from '../workloads/lif-mlp.js';

/**
 * Item 5 of the issue: the planned memory of W1's BPTT (the gradient graph of the LIF-MLP) at
 * long T, with and without checkpointing, against the tensors BPTT must save (savedTensorStats:
 * the scans' carries kept for the backward pass). The plan is the compiler's static one
 * (compileProgram, the numbers exe.stats reports), so no GPU memory is allocated for it.
 */
export const BPTT_MEMORY_WORKLOAD = 'BPTT memory (W1 LIF-MLP gradient)';

/**
 * How spike tensors are stored (issue 7, item 6): as float32 or as bits (the compiler's default),
 * for the spike trains the compiler proves and BPTT saves; then the same with the input x declared
 * a spike input (W1's x is Bernoulli spikes), which is resident and read again by xᵀ·dH1.
 */
export const SPIKE_STORAGES = [
  { name: 'f32', options: { packSpikes: false } },
  { name: 'bits', options: {} },
  { name: 'f32, x a spike input', options: { packSpikes: false, spikeInputs: ['x'] } },
  { name: 'bits, x a spike input', options: { spikeInputs: ['x'] } },
] as const satisfies readonly { readonly name: string; readonly options: ProgramOptions }[];

/** The storage the compiler uses by default, on which the peak target is checked. */
export const DEFAULT_SPIKE_STORAGE = 'bits';

/**
 * About √T checkpoints (the classic compute-for-memory trade), as the power of two nearest √T so
 * it divides the benchmark's T: a last, shorter segment would add a concat of the whole sequence.
 */
const checkpointInterval = (T: number) => 2 ** Math.round(Math.log2(Math.sqrt(T)));

/** The largest buffers of the plan and what they hold, for "where the memory goes". */
function largestSlots(program: Program, graph: Graph, count: number): string {
  const names = new Map<number, string[]>();
  for (const [id, slot] of program.slots) {
    // Values the compiler adds (a packed spike train's unpacked source, split-K partials) are named after their node.
    const [node, ...part] = id.split('/');
    const name = `${graph.nodes[node!]?.name ?? node}${part.length > 0 ? ` (${part.join('/')})` : ''}`;
    const label = `${name} [${program.values.get(id)!.type.shape.join(', ')}]${program.values.get(id)!.packed === true ? ' as bits' : ''}`;
    names.set(slot, [...(names.get(slot) ?? []), label]);
  }
  return program.slotBytes
    .map((bytes, slot) => ({ bytes, slot }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count)
    .map(({ bytes, slot }) => `${(bytes / 2 ** 20).toFixed(1)} MiB: ${names.get(slot)!.slice(0, 3).join(', ')}${names.get(slot)!.length > 3 ? ', ...' : ''}`)
    .join('; ');
}

export const bpttMemorySuite: Suite = {
  id: 'memory',
  title: BPTT_MEMORY_WORKLOAD,
  async run(ctx) {
    const { B } = ctx.config.memory;
    const limits = compileLimitsOf(ctx.gpu.limits);
    const rows: Row[] = [];
    for (const T of ctx.config.memory.T) {
      for (const checkpointEvery of [undefined, checkpointInterval(T)]) {
        const gradient = grad(lifMlpModel(T, B), { of: 'loss', wrt: [LIF_MLP_PARAMS.w1, LIF_MLP_PARAMS.w2], checkpointEvery });
        for (const spikeStorage of SPIKE_STORAGES) {
          const program = compileProgram(gradient, limits, spikeStorage.options);
          const { plannedPeakBytes, residentBytes, unsharedBytes, savedSpikeBytes } = program.memory;
          const savedBytes = 4 * savedTensorStats(gradient).elements;
          const spikeBytes = 4 * T * B * (LIF_MLP.hidden + LIF_MLP.classes);
          const temporaries = plannedPeakBytes - residentBytes;
          ctx.log(
            `  T = ${T}${checkpointEvery ? `, checkpoint every ${checkpointEvery}` : ''}, spikes as ${spikeStorage.name}: peak ${(plannedPeakBytes / 2 ** 20).toFixed(1)} MiB ` +
              `(resident ${(residentBytes / 2 ** 20).toFixed(1)}, temporaries ${(temporaries / 2 ** 20).toFixed(1)}), saved ${(savedBytes / 2 ** 20).toFixed(1)} MiB, saved spikes ${(savedSpikeBytes / 2 ** 20).toFixed(3)} MiB`,
          );
          rows.push(
            row(BPTT_MEMORY_WORKLOAD, 'spikeflow', 'compile-time plan', { T, B }, undefined, {
              checkpoint_every: checkpointEvery ?? null,
              spike_storage: spikeStorage.name,
              saved_spike_bytes: savedSpikeBytes,
              peak_bytes: plannedPeakBytes,
              resident_bytes: residentBytes,
              unshared_bytes: unsharedBytes,
              temporary_bytes: temporaries,
              saved_bytes: savedBytes,
              spike_bytes: spikeBytes,
              peak_over_resident_plus_saved: plannedPeakBytes / (residentBytes + savedBytes),
              temporaries_over_saved: temporaries / savedBytes,
              largest_buffers: largestSlots(program, hoistSequenceWork(simplify(gradient)), 4),
            }),
          );
        }
      }
    }
    return rows;
  },
};
