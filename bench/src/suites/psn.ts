import type { BenchContext, Suite } from '../context.js';
import { expectAgreement, scaledError } from '../harness/agreement.js';
import { row, type Row } from '../harness/row.js';
import { spikeflowPsn } from '../spikeflow/psn.js';
import { describeBackend } from '../tfjs/load.js';
import { tfjsPsn } from '../tfjs/psn.js';
import { psnFixture, psnIsExact, psnStepFlops, type PsnGradients, type PsnImpl } from '../workloads/psn.js';
import { timeRunner } from './time-runner.js';

export const PSN_WORKLOAD = 'W2 PSN forward+backward';
const SEED = 11;
const CHECK_SEED = 2;
/** X, W and b on a 1/64 grid make the check fixture exact in float32 (see psnIsExact). */
const CHECK_GRID = 64;
const TOLERANCE = 1e-4;

async function implementations(ctx: BenchContext): Promise<PsnImpl[]> {
  const tf = await ctx.tfjs();
  const gpuName = ctx.gpu.adapterInfo;
  return [
    spikeflowPsn(ctx.gpu.device, gpuName),
    tfjsPsn(tf, 'webgpu', await describeBackend(tf, 'webgpu', gpuName)),
    tfjsPsn(tf, 'wasm', await describeBackend(tf, 'wasm', gpuName)),
  ];
}

/** Loss, dW, db and dX of every implementation against spikeflow's, at the first benchmark size. */
async function check(ctx: BenchContext, impls: readonly PsnImpl[]): Promise<Row[]> {
  const T = ctx.config.psn.T[0]!;
  const N = ctx.config.psn.N[0]!;
  const fixture = psnFixture(T, N, CHECK_SEED, CHECK_GRID);
  if (!psnIsExact(fixture)) throw new Error('internal: the W2 check fixture is not exact in float32, so spikes could differ by rounding');
  const rows: Row[] = [];
  let reference: PsnGradients | undefined;
  for (const impl of impls) {
    const runner = await impl.create(fixture);
    const start = performance.now();
    const grads = await runner.gradients();
    const firstCallMs = performance.now() - start;
    const stepLoss = await runner.step();
    runner.dispose();
    const expected = reference ?? grads;
    const errors = {
      loss: scaledError([grads.loss], [expected.loss]),
      'step loss': scaledError([stepLoss], [expected.loss]),
      dW: scaledError(grads.w, expected.w),
      db: scaledError(grads.b, expected.b),
      dX: scaledError(grads.x, expected.x),
    };
    ctx.log(`  ${impl.impl}: loss ${grads.loss.toFixed(3)}, errors ${Object.entries(errors).map(([k, e]) => `${k} ${e.toExponential(1)}`).join(', ')}`);
    expectAgreement(`W2 (${impl.impl}, T = ${T}, N = ${N})`, errors, TOLERANCE);
    reference ??= grads;
    rows.push(row(`${PSN_WORKLOAD} check`, impl.impl, impl.device, { T, N }, undefined, { loss: grads.loss, err_loss: errors.loss, err_dW: errors.dW, err_db: errors.db, err_dX: errors.dX, first_call_ms: firstCallMs }));
  }
  return rows;
}

export const psnSuite: Suite = {
  id: 'w2',
  title: PSN_WORKLOAD,
  async run(ctx) {
    const impls = await implementations(ctx);
    ctx.log(`checking W2 at T = ${ctx.config.psn.T[0]}, N = ${ctx.config.psn.N[0]} before timing`);
    const rows = await check(ctx, impls);
    for (const N of ctx.config.psn.N) {
      for (const T of ctx.config.psn.T) {
        const fixture = psnFixture(T, N, SEED);
        const gflop = psnStepFlops(T, N) / 1e9;
        for (const impl of impls) {
          const runner = await impl.create(fixture);
          rows.push(...(await timeRunner(ctx, PSN_WORKLOAD, impl, { T, N }, runner, (t) => ({ matmul_gflop: gflop, gflops: gflop / (t.ms_median / 1e3) }))));
        }
      }
    }
    return rows;
  },
};
