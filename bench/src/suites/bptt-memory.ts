import { grad, savedTensorStats } from '@spikeflow/autodiff';
import type { Graph } from '@spikeflow/core';
import { compileProgram, simplify, type Program } from '@spikeflow/webgpu';
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
 * How spike tensors are stored. Bit-packed spikes (issue 7, item 6) are a compiler feature still
 * to come; when compile() can store them as bits, add that storage here and pass it to the
 * compiler, and the rows will show the plan with spikes at 1/32 of their float32 bytes.
 */
const SPIKE_STORAGES = ['f32'] as const;

/**
 * About √T checkpoints (the classic compute-for-memory trade), as the power of two nearest √T so
 * it divides the benchmark's T: a last, shorter segment would add a concat of the whole sequence.
 */
const checkpointInterval = (T: number) => 2 ** Math.round(Math.log2(Math.sqrt(T)));

/** The largest buffers of the plan and what they hold, for "where the memory goes". */
function largestSlots(program: Program, graph: Graph, count: number): string {
  const names = new Map<number, string[]>();
  for (const [id, slot] of program.slots) {
    const label = `${graph.nodes[id]?.name ?? id} [${program.values.get(id)!.type.shape.join(', ')}]`;
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
    const limits = { maxStorageBufferBindingSize: ctx.gpu.limits.maxStorageBufferBindingSize, maxStorageBuffersPerShaderStage: ctx.gpu.limits.maxStorageBuffersPerShaderStage };
    const rows: Row[] = [];
    for (const T of ctx.config.memory.T) {
      for (const checkpointEvery of [undefined, checkpointInterval(T)]) {
        for (const spikeStorage of SPIKE_STORAGES) {
          const gradient = grad(lifMlpModel(T, B), { of: 'loss', wrt: [LIF_MLP_PARAMS.w1, LIF_MLP_PARAMS.w2], checkpointEvery });
          const program = compileProgram(gradient, limits);
          const { plannedPeakBytes, residentBytes, unsharedBytes } = program.memory;
          const savedBytes = 4 * savedTensorStats(gradient).elements;
          const spikeBytes = 4 * T * B * (LIF_MLP.hidden + LIF_MLP.classes);
          const temporaries = plannedPeakBytes - residentBytes;
          ctx.log(
            `  T = ${T}${checkpointEvery ? `, checkpoint every ${checkpointEvery}` : ''}: peak ${(plannedPeakBytes / 2 ** 20).toFixed(1)} MiB ` +
              `(resident ${(residentBytes / 2 ** 20).toFixed(1)}, temporaries ${(temporaries / 2 ** 20).toFixed(1)}), saved ${(savedBytes / 2 ** 20).toFixed(1)} MiB`,
          );
          rows.push(
            row(BPTT_MEMORY_WORKLOAD, 'spikeflow', 'compile-time plan', { T, B }, undefined, {
              checkpoint_every: checkpointEvery ?? null,
              spike_storage: spikeStorage,
              peak_bytes: plannedPeakBytes,
              resident_bytes: residentBytes,
              unshared_bytes: unsharedBytes,
              temporary_bytes: temporaries,
              saved_bytes: savedBytes,
              spike_bytes: spikeBytes,
              peak_over_resident_plus_saved: plannedPeakBytes / (residentBytes + savedBytes),
              temporaries_over_saved: temporaries / savedBytes,
              largest_buffers: largestSlots(program, simplify(gradient), 4),
            }),
          );
        }
      }
    }
    return rows;
  },
};
