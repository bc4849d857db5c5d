import { sgd, trainingGraph } from '@spikeflow/models';
import { compileLimitsOf, compileProgram, type CompileOptions } from '@spikeflow/webgpu';
import type { Suite } from '../context.js';
import { expectAgreement, scaledError } from '../harness/agreement.js';
import { row, type Row } from '../harness/row.js';
import { timingOf } from '../harness/timing.js';
import { spikeflowLifMlp } from '../spikeflow/lif-mlp.js';
import { lifMlpFixture, lifMlpHostForward, lifMlpModel, type LifMlpRunner } from '../workloads/lif-mlp.js';

/**
 * Issue 7, item 6: W1's training step with spikes stored as float32 or as bits, and with matmuls
 * that skip zero spikes. x is W1's input spike train (Bernoulli 0.2); declaring it a spike input
 * lets the compiler store it as bits and skip its zeros in x·W1 and xᵀ·dH1, the two big matmuls;
 * the hidden spikes s1, saved for the backward, are packed by default and feed the two small
 * products s1·W2 and s1ᵀ·dH2.
 */
export const SPIKE_STORAGE_WORKLOAD = 'W1 step by spike storage';

export const SPIKE_VARIANTS: readonly { readonly name: string; readonly options: CompileOptions }[] = [
  { name: 'f32 spikes, dense matmuls', options: { packSpikes: false, skipSpikeZeros: false } },
  { name: 'packed saved spikes (default)', options: {} },
  { name: 'packed, x a spike input, dense matmuls', options: { spikeInputs: ['x'], skipSpikeZeros: false } },
  { name: 'packed, x a spike input, zero skipping', options: { spikeInputs: ['x'] } },
];
const SEED = 7;
const TOLERANCE = 1e-4;
/** Only the small sizes: four variants of each step on the shared software GPU take long. */
const MAX_T = 32;

export const spikeStorageSuite: Suite = {
  id: 'spikes',
  title: SPIKE_STORAGE_WORKLOAD,
  async run(ctx) {
    const { B } = ctx.config.lifMlp;
    const limits = compileLimitsOf(ctx.gpu.limits);
    const rows: Row[] = [];
    for (const T of ctx.config.lifMlp.T.filter((t) => t <= MAX_T)) {
      const fixture = lifMlpFixture(T, B, SEED);
      const { rate1, rate2 } = lifMlpHostForward(fixture);
      const impls = SPIKE_VARIANTS.map((v) => spikeflowLifMlp(ctx.gpu.device, ctx.gpu.adapterInfo, v.options, v.name));
      // Every variant computes the same gradients (to the tolerance: zero skipping reorders sums).
      const runners: LifMlpRunner[] = [];
      let reference;
      for (const impl of impls) {
        const runner = await impl.create(fixture);
        const grads = await runner.gradients();
        reference ??= grads;
        expectAgreement(`W1 (${impl.impl}, T = ${T})`, { loss: scaledError([grads.loss], [reference.loss]), dW1: scaledError(grads.w1, reference.w1), dW2: scaledError(grads.w2, reference.w2) }, TOLERANCE);
        runners.push(runner);
      }
      // Timed in turns, one step of each variant per round, so load changes hit all alike.
      const first = [];
      for (const runner of runners) {
        const start = performance.now();
        await runner.step();
        first.push(performance.now() - start);
      }
      const samples: number[][] = runners.map(() => []);
      const { reps, budgetMs } = ctx.config.timing;
      const started = performance.now();
      for (let round = 0; round < reps && (round < 2 || performance.now() - started < budgetMs * runners.length); round++) {
        for (const [k, runner] of runners.entries()) {
          const start = performance.now();
          await runner.step();
          samples[k]!.push(performance.now() - start);
        }
      }
      for (const [k, runner] of runners.entries()) {
        const timing = timingOf(samples[k]!, first[k]!);
        const base = timingOf(samples[0]!, first[0]!).ms_median;
        // The step's static plan (what exe.stats reports), without allocating it again.
        const { memory } = compileProgram(trainingGraph(lifMlpModel(T, B), { loss: 'loss', optimizer: sgd() }), limits, SPIKE_VARIANTS[k]!.options);
        ctx.log(`  ${impls[k]!.impl}, T = ${T}: median ${timing.ms_median.toFixed(1)} ms (${(base / timing.ms_median).toFixed(2)}× the f32 step's speed), saved spikes ${memory.savedSpikeBytes} B, peak ${(memory.plannedPeakBytes / 2 ** 20).toFixed(2)} MiB`);
        rows.push(
          row(SPIKE_STORAGE_WORKLOAD, impls[k]!.impl, ctx.gpu.adapterInfo, { T, B }, timing, {
            speedup_vs_f32: base / timing.ms_median,
            saved_spike_bytes: memory.savedSpikeBytes,
            peak_bytes: memory.plannedPeakBytes,
            resident_bytes: memory.residentBytes,
            rate1,
            rate2,
          }),
        );
        runner.dispose();
      }
    }
    return rows;
  },
};
