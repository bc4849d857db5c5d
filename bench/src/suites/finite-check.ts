import { tensor } from '@spikeflow/core';
import { expectValidFeeds, feedRules, sgd, Trainer } from '@spikeflow/models';
import { compileTrainStep, webgpuBackend } from '@spikeflow/webgpu';
import type { BenchContext, Suite } from '../context.js';
import { row, type Row } from '../harness/row.js';
import { timingOf } from '../harness/timing.js';
import { LIF_MLP, lifMlpFixture, lifMlpModel } from '../workloads/lif-mlp.js';

/**
 * What the trainer's non-finite check (on by default) costs on W1's training step: the same
 * trainer with `checkFinite` on and off, each epoch one step on the fixture's batch, so the check
 * runs after every step, its worst case (it runs once per epoch by default). With the check, a step
 * also scans the fed batch on the host (x is T·B·784 floats), checks the labels, and counts the
 * non-finite values of both weight matrices on the device, reading back two counts. Those parts
 * are also timed alone in the same rounds (a step's time varies far more than the check's).
 */
export const FINITE_CHECK_WORKLOAD = 'W1 step with the non-finite check';

/** The acceptance bound: the check adds less than this fraction to a step. */
export const FINITE_CHECK_BUDGET = 0.03;

const SEED = 7;
/** As the W1 suite compiles it: x declared a spike input. */
const COMPILE = { spikeInputs: ['x'] };

function w1Batch(T: number, B: number) {
  const fixture = lifMlpFixture(T, B, SEED);
  return { x: tensor([T, B, LIF_MLP.inputs], fixture.x), y: tensor([B], fixture.labels, 'i32') };
}

async function w1Trainer(ctx: BenchContext, T: number, B: number, checkFinite: boolean): Promise<Trainer> {
  const batch = w1Batch(T, B);
  return Trainer.create({
    backend: webgpuBackend(ctx.gpu.device, COMPILE),
    model: lifMlpModel(T, B),
    optimizer: sgd(),
    schedule: LIF_MLP.lr,
    data: { train: () => [batch] },
    checkFinite,
    seed: SEED,
  });
}

export const finiteCheckSuite: Suite = {
  id: 'finite',
  title: FINITE_CHECK_WORKLOAD,
  async run(ctx) {
    const { T, B, rounds } = ctx.config.finiteCheck;
    const variants = [
      { name: 'check off', trainer: await w1Trainer(ctx, T, B, false) },
      { name: 'check on (after every step)', trainer: await w1Trainer(ctx, T, B, true) },
    ];
    // The check's parts alone, as the trainer runs them: the feed scan and the on-device count of the trained weights.
    const counter = await compileTrainStep(variants[1]!.trainer.trainGraph, ctx.gpu.device, COMPILE);
    const rules = feedRules(variants[1]!.trainer.trainGraph);
    const batch = w1Batch(T, B);
    const checkAlone = async () => {
      expectValidFeeds(batch, rules, 'benchmark', true);
      await counter.countNonFinite(variants[1]!.trainer.trained);
    };
    try {
      const first: number[] = [];
      for (const v of variants) {
        const start = performance.now();
        await v.trainer.runEpochs(1);
        first.push(performance.now() - start);
      }
      // Timed in turns, the order swapped every round, so load changes and warm caches hit both alike.
      const samples: number[][] = variants.map(() => []);
      const alone: number[] = [];
      await checkAlone();
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [0, 1] : [1, 0];
        for (const k of order) {
          const start = performance.now();
          await variants[k]!.trainer.runEpochs(1);
          samples[k]!.push(performance.now() - start);
        }
        const start = performance.now();
        await checkAlone();
        alone.push(performance.now() - start);
      }
      const aloneMs = timingOf(alone, 0).ms_median;
      const timings = variants.map((_, k) => timingOf(samples[k]!, first[k]!));
      const ratio = timings[1]!.ms_median / timings[0]!.ms_median;
      // Paired differences (each round's two steps ran back to back) are less noisy than a ratio of medians.
      const diffs = samples[1]!.map((ms, j) => ms - samples[0]![j]!).sort((a, b) => a - b);
      const pairedMs = diffs[diffs.length >> 1]!;
      ctx.log(
        `  T = ${T}, B = ${B}: step ${timings[0]!.ms_median.toFixed(1)} ms without the check, ${timings[1]!.ms_median.toFixed(1)} ms with it: ` +
          `ratio ${ratio.toFixed(3)}, median paired difference ${pairedMs.toFixed(2)} ms (${((100 * pairedMs) / timings[0]!.ms_median).toFixed(1)}% of a step); ` +
          `the check alone ${aloneMs.toFixed(2)} ms (${((100 * aloneMs) / timings[0]!.ms_median).toFixed(1)}% of a step; budget ${100 * FINITE_CHECK_BUDGET}%)`,
      );
      const rows: Row[] = variants.map((v, k) =>
        row(FINITE_CHECK_WORKLOAD, v.name, ctx.gpu.adapterInfo, { T, B }, timings[k], {
          ratio_to_unchecked: timings[k]!.ms_median / timings[0]!.ms_median,
          ...(k === 1 ? { paired_overhead_ms: pairedMs, paired_overhead: pairedMs / timings[0]!.ms_median, check_alone_ms: aloneMs, check_alone_overhead: aloneMs / timings[0]!.ms_median } : {}),
        }),
      );
      return rows;
    } finally {
      for (const v of variants) v.trainer.destroy();
      counter.destroy();
    }
  },
};
