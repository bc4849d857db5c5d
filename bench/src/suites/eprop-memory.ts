import { tensor, type Graph, type HostTensor } from '@spikeflow/core';
import { eprop, lifNeuron, onlineNetwork, sgd, trainingGraph, LR_INPUT, type OnlineNetwork } from '@spikeflow/models';
import { compileLimitsOf, compileProgram, compileTrainStep, type TrainStep } from '@spikeflow/webgpu';
import type { BenchContext, Suite } from '../context.js';
import { row, type Row } from '../harness/row.js';
import { Rng } from '../harness/rng.js';
import { timingOf } from '../harness/timing.js';

/**
 * e-prop against BPTT on one training step of the same recurrent network: e-prop carries its
 * eligibility traces and summed updates in the forward scan, so its memory should not grow with T;
 * BPTT keeps per-step tensors for the backward pass (about linear in T). Memory is the compiler's
 * static plan of the whole train step (forward, updates, SGD); the executable allocates exactly
 * the plan's buffers. The plan is made without the device's per-binding limit, so a buffer that
 * does not fit is reported with its size instead of failing the compile.
 */
export const EPROP_MEMORY_WORKLOAD = 'e-prop vs BPTT training step (recurrent LIF)';

/** The acceptance bound: e-prop's planned peak at the longest T within this fraction of its peak at the shortest. */
export const EPROP_PEAK_GROWTH_BOUND = 0.1;

/** Soft, detached reset: e-prop's traces are presynaptic (the factorised path of docs/learning/eprop.md). */
const NEURON_ATTRS = { tau: 20, vReset: null, vThreshold: 0.6 };

export const EPROP_NETWORK = { inputs: 100, hidden: 128, outputs: 10, batch: 16 } as const;

/**
 * x holds spikes and the loss mask holds 0 and 1, so both are declared spike inputs (the host
 * checks every feed): the step-loop scans read them from packed bits, 32 per u32, so the fed batch
 * grows with T by a 32nd of float32 (targets, i32 class indices, stay as they are).
 */
export const EPROP_SPIKE_INPUTS = ['x', 'mask'] as const;
const COMPILE = { spikeInputs: EPROP_SPIKE_INPUTS };

const SEED = 11;
const LR = 1e-3;

function network(T: number): OnlineNetwork {
  const { inputs, hidden, outputs, batch } = EPROP_NETWORK;
  return onlineNetwork({ neuron: lifNeuron, neuronAttrs: NEURON_ATTRS, inputs, hidden, outputs, steps: T, batch, readoutDecay: 0.8, inputScale: 3 });
}

/** Bernoulli(0.1) input spikes, a class per sequence, loss on the last quarter of the steps. */
function batchOf(T: number): Record<string, HostTensor> {
  const { inputs, outputs, batch } = EPROP_NETWORK;
  const labels = Array.from({ length: batch }, (_, b) => b % outputs);
  return {
    x: tensor([T, batch, inputs], new Rng(SEED).bernoulli(T * batch * inputs, 0.1)),
    targets: tensor([T, batch], Array.from({ length: T * batch }, (_, k) => labels[k % batch]!), 'i32'),
    mask: tensor([T, batch], Array.from({ length: T * batch }, (_, k) => Number(k >= (3 * T * batch) / 4))),
    [LR_INPUT]: tensor([], [LR]),
  };
}

interface Variant {
  readonly name: 'e-prop' | 'BPTT';
  readonly graph: Graph;
}

function variants(T: number): Variant[] {
  const net = network(T);
  const optimizer = sgd();
  return [
    { name: 'e-prop', graph: trainingGraph(net.model, { loss: 'loss', optimizer, rule: eprop(net) }) },
    { name: 'BPTT', graph: trainingGraph(net.model, { loss: 'loss', optimizer }) },
  ];
}

interface Plan {
  readonly peakBytes: number;
  readonly residentBytes: number;
  /** The fed batch (x, targets, mask, lr) as stored (x and mask packed): T-sized for both rules, the caller's data rather than the rule's. */
  readonly feedBytes: number;
  readonly largestBufferBytes: number;
  readonly fits: boolean;
}

/** The static plan, made as if the device bound any size, then checked against its real per-binding limit. */
function planOf(ctx: BenchContext, graph: Graph): Plan {
  const limits = compileLimitsOf(ctx.gpu.limits);
  const program = compileProgram(graph, { ...limits, maxStorageBufferBindingSize: Number.MAX_SAFE_INTEGER }, COMPILE);
  const largestBufferBytes = Math.max(...program.slotBytes);
  const feedSlots = new Set(program.inputs.map((i) => program.slots.get(i.value)!));
  return {
    peakBytes: program.memory.plannedPeakBytes,
    residentBytes: program.memory.residentBytes,
    feedBytes: [...feedSlots].reduce((sum, slot) => sum + program.slotBytes[slot]!, 0),
    largestBufferBytes,
    fits: largestBufferBytes <= limits.maxStorageBufferBindingSize,
  };
}

/** Steps each compiled variant in turns (order swapped every round) so load changes hit both alike. */
async function timeInterleaved(steps: readonly TrainStep[], feeds: Record<string, HostTensor>, rounds: number) {
  const first: number[] = [];
  for (const s of steps) {
    const start = performance.now();
    const loss = await s.stepWithLoss(feeds);
    if (!Number.isFinite(loss)) throw new Error(`a benchmark training step's loss is ${loss}, not a finite number`);
    first.push(performance.now() - start);
  }
  const samples: number[][] = steps.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = steps.map((_, k) => k);
    if (round % 2 === 1) order.reverse();
    for (const k of order) {
      const start = performance.now();
      await steps[k]!.stepWithLoss(feeds);
      samples[k]!.push(performance.now() - start);
    }
  }
  return steps.map((_, k) => timingOf(samples[k]!, first[k]!));
}

export const epropMemorySuite: Suite = {
  id: 'eprop-memory',
  title: EPROP_MEMORY_WORKLOAD,
  async run(ctx) {
    const { T: Ts, rounds } = ctx.config.epropMemory;
    const { batch, hidden } = EPROP_NETWORK;
    const rows: Row[] = [];
    for (const T of Ts) {
      const vs = variants(T);
      const plans = vs.map((v) => planOf(ctx, v.graph));
      const runnable = vs.map((v, k) => ({ v, plan: plans[k]! })).filter(({ plan }) => plan.fits);
      const steps: TrainStep[] = [];
      try {
        for (const { v } of runnable) steps.push(await compileTrainStep(v.graph, ctx.gpu.device, COMPILE));
        const timings = await timeInterleaved(steps, batchOf(T), rounds);
        vs.forEach((v, k) => {
          const plan = plans[k]!;
          const timing = plan.fits ? timings[runnable.findIndex((r) => r.v === v)] : undefined;
          ctx.log(
            `  T = ${T}, ${v.name}: planned peak ${(plan.peakBytes / 2 ** 20).toFixed(2)} MiB (resident ${(plan.residentBytes / 2 ** 20).toFixed(2)}, fed batch ${(plan.feedBytes / 2 ** 20).toFixed(2)}), ` +
              `largest buffer ${(plan.largestBufferBytes / 2 ** 20).toFixed(2)} MiB${plan.fits ? '' : ' (does not fit the per-binding limit)'}` +
              `${timing ? `, ${timing.ms_median.toFixed(1)} ms per step (median of ${timing.reps})` : ''}`,
          );
          rows.push(
            row(EPROP_MEMORY_WORKLOAD, v.name, ctx.gpu.adapterInfo, { T, B: batch, N: hidden }, timing, {
              peak_bytes: plan.peakBytes,
              resident_bytes: plan.residentBytes,
              feed_bytes: plan.feedBytes,
              peak_without_feeds_bytes: plan.peakBytes - plan.feedBytes,
              largest_buffer_bytes: plan.largestBufferBytes,
              binding_limit_bytes: ctx.gpu.limits.maxStorageBufferBindingSize,
              fits: plan.fits,
            }),
          );
        });
      } finally {
        for (const s of steps) s.destroy();
      }
    }
    return rows;
  },
};
