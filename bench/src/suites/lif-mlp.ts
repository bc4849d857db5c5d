import type { BenchContext, Suite } from '../context.js';
import { expectAgreement, scaledError } from '../harness/agreement.js';
import { row, type Row } from '../harness/row.js';
import { spikeflowLifMlp } from '../spikeflow/lif-mlp.js';
import { describeBackend } from '../tfjs/load.js';
import { tfjsLifMlp } from '../tfjs/lif-mlp.js';
import { timeRunner } from './time-runner.js';
import { LIF_MLP, lifMlpFixture, lifMlpHostForward, lifMlpStepFlops, type LifMlpGradients, type LifMlpImpl } from '../workloads/lif-mlp.js';

export const LIF_MLP_WORKLOAD = 'W1 LIF-MLP BPTT step';
const SEED = 7;
const CHECK_SEED = 1;
/** Weights on a 1/64 grid make the check fixture exact in float32 (see lifMlpHostForward). */
const CHECK_GRID = 64;
const TOLERANCE = 1e-4;
/** The update is W - W', a difference of nearby floats, so it carries their rounding. */
const UPDATE_TOLERANCE = 1e-3;

async function implementations(ctx: BenchContext): Promise<LifMlpImpl[]> {
  const tf = await ctx.tfjs();
  const gpuName = ctx.gpu.adapterInfo;
  return [
    // W1's x is defined as 0/1 spikes; spikeflow is told so (a compile option any user has), so it
    // stores x as bits and its matmuls skip the zeros. The spikes suite times the variants apart.
    spikeflowLifMlp(ctx.gpu.device, gpuName, { spikeInputs: ['x'] }),
    tfjsLifMlp(tf, 'webgpu', await describeBackend(tf, 'webgpu', gpuName)),
    tfjsLifMlp(tf, 'wasm', await describeBackend(tf, 'wasm', gpuName)),
  ];
}

const updateOf = (before: Float32Array, after: Float32Array) => before.map((w, i) => w - after[i]!);

/** What the check compares: the gradients, and the update one SGD step applied (W - W'). */
interface Checked extends LifMlpGradients {
  readonly update1: Float32Array;
  readonly update2: Float32Array;
}

/**
 * Loss, both gradients and one SGD update of every implementation against spikeflow's, on an
 * exact fixture at the smallest benchmark size (so the check also compiles the shaders the first
 * timed size needs; each row's first_call_ms is the cold first call).
 */
async function check(ctx: BenchContext, impls: readonly LifMlpImpl[]): Promise<Row[]> {
  const { B, checkT: T } = ctx.config.lifMlp;
  const fixture = lifMlpFixture(T, B, CHECK_SEED, CHECK_GRID);
  const host = lifMlpHostForward(fixture);
  if (!host.exact) throw new Error('internal: the W1 check fixture is not exact in float32, so spikes could differ by rounding');
  const rows: Row[] = [];
  let reference: Checked | undefined;
  for (const impl of impls) {
    const runner = await impl.create(fixture);
    const start = performance.now();
    const grads = await runner.gradients();
    const firstCallMs = performance.now() - start;
    const stepLoss = await runner.step();
    const after = await runner.weights();
    runner.dispose();
    const result: Checked = { ...grads, update1: updateOf(fixture.w1, after.w1), update2: updateOf(fixture.w2, after.w2) };
    // spikeflow, the reference, is checked against itself: its train step must apply lr x its gradients.
    const expected: Checked = reference ?? { ...result, update1: grads.w1.map((g) => g * LIF_MLP.lr), update2: grads.w2.map((g) => g * LIF_MLP.lr) };
    const errors = {
      loss: scaledError([grads.loss], [expected.loss]),
      'step loss': scaledError([stepLoss], [expected.loss]),
      dW1: scaledError(grads.w1, expected.w1),
      dW2: scaledError(grads.w2, expected.w2),
    };
    const updateErrors = { 'W1 update': scaledError(result.update1, expected.update1), 'W2 update': scaledError(result.update2, expected.update2) };
    ctx.log(`  ${impl.impl}: loss ${grads.loss.toFixed(6)}, errors ${Object.entries({ ...errors, ...updateErrors }).map(([k, e]) => `${k} ${e.toExponential(1)}`).join(', ')}`);
    expectAgreement(`W1 (${impl.impl}, T = ${T}, B = ${B})`, errors, TOLERANCE);
    expectAgreement(`W1 SGD step (${impl.impl})`, updateErrors, UPDATE_TOLERANCE);
    reference ??= result;
    rows.push(
      row(`${LIF_MLP_WORKLOAD} check`, impl.impl, impl.device, { T, B }, undefined, {
        loss: grads.loss,
        err_loss: errors.loss,
        err_dW1: errors.dW1,
        err_dW2: errors.dW2,
        err_update: Math.max(updateErrors['W1 update'], updateErrors['W2 update']),
        first_call_ms: firstCallMs,
        rate1: host.rate1,
        rate2: host.rate2,
      }),
    );
  }
  return rows;
}

export const lifMlpSuite: Suite = {
  id: 'w1',
  title: LIF_MLP_WORKLOAD,
  async run(ctx) {
    const impls = await implementations(ctx);
    ctx.log(`checking W1 at T = ${ctx.config.lifMlp.checkT} before timing`);
    const rows = await check(ctx, impls);
    const { B } = ctx.config.lifMlp;
    for (const T of ctx.config.lifMlp.T) {
      const fixture = lifMlpFixture(T, B, SEED);
      const { rate1, rate2 } = lifMlpHostForward(fixture);
      const gflop = lifMlpStepFlops(T, B) / 1e9;
      for (const impl of impls) {
        const runner = await impl.create(fixture);
        rows.push(...(await timeRunner(ctx, LIF_MLP_WORKLOAD, impl, { T, B }, runner, (t) => ({ matmul_gflop: gflop, gflops: gflop / (t.ms_median / 1e3), rate1, rate2 }))));
      }
    }
    return rows;
  },
};
