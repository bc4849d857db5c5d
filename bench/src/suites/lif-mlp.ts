import type { Suite } from '../context.js';
import { expectAgreement, scaledError } from '../harness/agreement.js';
import { row, type Row } from '../harness/row.js';
import { comparePeers } from '../peers/compare.js';
import type { WorkerResult } from '../peers/protocol.js';
import { readLifMlpCheck, writeLifMlpFixture } from '../peers/workload-files.js';
import { LIF_MLP, lifMlpFixture, lifMlpHostForward, lifMlpStepFlops } from '../workloads/lif-mlp.js';

export const LIF_MLP_WORKLOAD = 'W1 LIF-MLP BPTT step';
const SEED = 7;
const CHECK_SEED = 1;
/** Weights on a 1/64 grid make the check fixture exact in float32 (see lifMlpHostForward). */
const CHECK_GRID = 64;
const TOLERANCE = 1e-4;
/** The update is W - W', a difference of nearby floats, so it carries their rounding. */
const UPDATE_TOLERANCE = 1e-3;

/** What the check compares: loss, both gradients, and the update one SGD step applied (W - W'). */
interface Checked {
  readonly loss: number;
  readonly w1: Float32Array;
  readonly w2: Float32Array;
  readonly update1: Float32Array;
  readonly update2: Float32Array;
}

const difference = (before: Float32Array, after: Float32Array) => before.map((w, i) => w - after[i]!);

/**
 * The agreement check of every implementation against spikeflow's (the first to answer), on an
 * exact fixture at the smallest size: loss, the loss of one training step, both gradients and the
 * SGD update. spikeflow itself is checked against lr x its own gradients.
 */
function lifMlpVerifier(T: number, B: number, log: (m: string) => void) {
  const fixture = lifMlpFixture(T, B, CHECK_SEED, CHECK_GRID);
  const host = lifMlpHostForward(fixture);
  if (!host.exact) throw new Error('internal: the W1 check fixture is not exact in float32, so spikes could differ by rounding');
  let reference: Checked | undefined;
  return {
    fixture,
    verify(result: WorkerResult, out: string): Row {
      const answer = result.check!;
      const arrays = readLifMlpCheck(out);
      const got: Checked = { loss: answer.loss, w1: arrays.w1, w2: arrays.w2, update1: difference(fixture.w1, arrays.w1After), update2: difference(fixture.w2, arrays.w2After) };
      const expected = reference ?? { ...got, update1: got.w1.map((g) => g * LIF_MLP.lr), update2: got.w2.map((g) => g * LIF_MLP.lr) };
      const errors = {
        loss: scaledError([got.loss], [expected.loss]),
        'step loss': scaledError([answer.step_loss], [expected.loss]),
        dW1: scaledError(got.w1, expected.w1),
        dW2: scaledError(got.w2, expected.w2),
      };
      const updateErrors = { 'W1 update': scaledError(got.update1, expected.update1), 'W2 update': scaledError(got.update2, expected.update2) };
      log(`  ${result.impl}: loss ${got.loss.toFixed(6)}, errors ${Object.entries({ ...errors, ...updateErrors }).map(([k, e]) => `${k} ${e.toExponential(1)}`).join(', ')}`);
      expectAgreement(`W1 (${result.impl}, T = ${T}, B = ${B})`, errors, TOLERANCE);
      expectAgreement(`W1 SGD step (${result.impl})`, updateErrors, UPDATE_TOLERANCE);
      reference ??= got;
      return row(`${LIF_MLP_WORKLOAD} check`, result.impl, result.device, { T, B }, undefined, {
        loss: got.loss,
        err_loss: errors.loss,
        err_dW1: errors.dW1,
        err_dW2: errors.dW2,
        err_update: Math.max(updateErrors['W1 update'], updateErrors['W2 update']),
        first_call_ms: answer.first_call_ms,
        rate1: host.rate1,
        rate2: host.rate2,
      });
    },
  };
}

export const lifMlpSuite: Suite = {
  id: 'w1',
  title: LIF_MLP_WORKLOAD,
  async run(ctx) {
    const { B, checkT, T: Ts } = ctx.config.lifMlp;
    ctx.log(`W1: agreement check at T = ${checkT} in each implementation's first process, before its timings count`);
    const checker = lifMlpVerifier(checkT, B, ctx.log);
    return comparePeers(ctx, {
      workload: 'w1',
      title: LIF_MLP_WORKLOAD,
      sizes: Ts.map((T) => ({ T, B })),
      writeFixture: (dir, { T }) => writeLifMlpFixture(dir, lifMlpFixture(T!, B, SEED)),
      writeCheckFixture: (dir) => writeLifMlpFixture(dir, checker.fixture),
      verify: checker.verify,
      fields({ T }, timing) {
        const { rate1, rate2 } = lifMlpHostForward(lifMlpFixture(T!, B, SEED));
        const gflop = lifMlpStepFlops(T!, B) / 1e9;
        return { matmul_gflop: gflop, gflops: gflop / (timing.ms_median / 1e3), rate1, rate2 };
      },
    });
  },
};
