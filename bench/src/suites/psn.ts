import type { Suite } from '../context.js';
import { expectAgreement, scaledError } from '../harness/agreement.js';
import { row, type Row } from '../harness/row.js';
import { comparePeers } from '../peers/compare.js';
import type { WorkerResult } from '../peers/protocol.js';
import { readPsnCheck, writePsnFixture } from '../peers/workload-files.js';
import { psnFixture, psnIsExact, psnStepFlops, type PsnGradients } from '../workloads/psn.js';

export const PSN_WORKLOAD = 'W2 PSN forward+backward';
const SEED = 11;
const CHECK_SEED = 2;
/** X, W and b on a 1/64 grid make the check fixture exact in float32 (see psnIsExact). */
const CHECK_GRID = 64;
const TOLERANCE = 1e-4;

/** Loss, the loss of one step, dW, db and dX of every implementation against spikeflow's (the first to answer). */
function psnVerifier(T: number, N: number, log: (m: string) => void) {
  const fixture = psnFixture(T, N, CHECK_SEED, CHECK_GRID);
  if (!psnIsExact(fixture)) throw new Error('internal: the W2 check fixture is not exact in float32, so spikes could differ by rounding');
  let reference: PsnGradients | undefined;
  return {
    fixture,
    verify(result: WorkerResult, out: string): Row {
      const answer = result.check!;
      const got: PsnGradients = { loss: answer.loss, ...readPsnCheck(out) };
      const expected = reference ?? got;
      const errors = {
        loss: scaledError([got.loss], [expected.loss]),
        'step loss': scaledError([answer.step_loss], [expected.loss]),
        dW: scaledError(got.w, expected.w),
        db: scaledError(got.b, expected.b),
        dX: scaledError(got.x, expected.x),
      };
      log(`  ${result.impl}: loss ${got.loss.toFixed(3)}, errors ${Object.entries(errors).map(([k, e]) => `${k} ${e.toExponential(1)}`).join(', ')}`);
      expectAgreement(`W2 (${result.impl}, T = ${T}, N = ${N})`, errors, TOLERANCE);
      reference ??= got;
      return row(`${PSN_WORKLOAD} check`, result.impl, result.device, { T, N }, undefined, { loss: got.loss, err_loss: errors.loss, err_dW: errors.dW, err_db: errors.db, err_dX: errors.dX, first_call_ms: answer.first_call_ms });
    },
  };
}

export const psnSuite: Suite = {
  id: 'w2',
  title: PSN_WORKLOAD,
  async run(ctx) {
    const T0 = ctx.config.psn.T[0]!;
    const N0 = ctx.config.psn.N[0]!;
    ctx.log(`W2: agreement check at T = ${T0}, N = ${N0} in each implementation's first process, before its timings count`);
    const checker = psnVerifier(T0, N0, ctx.log);
    return comparePeers(ctx, {
      workload: 'w2',
      title: PSN_WORKLOAD,
      sizes: ctx.config.psn.N.flatMap((N) => ctx.config.psn.T.map((T) => ({ T, N }))),
      writeFixture: (dir, { T, N }) => writePsnFixture(dir, psnFixture(T!, N!, SEED)),
      writeCheckFixture: (dir) => writePsnFixture(dir, checker.fixture),
      verify: checker.verify,
      fields({ T, N }, timing) {
        const gflop = psnStepFlops(T!, N!) / 1e9;
        return { matmul_gflop: gflop, gflops: gflop / (timing.ms_median / 1e3) };
      },
    });
  },
};
