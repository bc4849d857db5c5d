import { COMPARISON_NEURONS, COMPARISON_SIZES, compareWithBptt, cosine, maxRelativeError } from '@spikeflow/models';
import type { Experiment, ResultRow } from '../experiment.js';

const BOUND = 1e-5;
const DEVICE = 'CPU reference interpreter (f64)';
const NEURONS = ['LIF', 'ALIF'] as const;
const READOUT_DECAYS = [0, 0.7] as const;

/**
 * e-prop's exactness claim: with recurrent weights zero, symmetric feedback, the same surrogate and
 * the reset detached, e-prop's update is the BPTT gradient (every param, the largest relative
 * error reported); with recurrence, the cosine between the two per weight group. The networks,
 * params and inputs are the exactness test's (`compareWithBptt`); `--seed` picks the params' and
 * inputs' seeds (seed 1: the test's). The check is tiny, so `--quick` runs all of it.
 */
export const epropExactnessExperiment: Experiment = {
  id: 'eprop-exactness',
  title:
    `e-prop vs BPTT on one recurrent layer (N = ${COMPARISON_SIZES.hidden}, T = ${COMPARISON_SIZES.steps}, B = ${COMPARISON_SIZES.batch}), CPU f64, symmetric feedback, reset detached in both (Bellec et al. 2020): ` +
    `with W_rec = 0 the update equals the gradient (largest relative error over all params ≤ 1e-5); with recurrence, cosine(e-prop, BPTT) per weight group (readout exact).`,
  run: async (ctx) => {
    const seeds = { paramSeed: ctx.seed + 4, inputSeed: ctx.seed + 6 };
    const sizes = { ...COMPARISON_SIZES, precision: 'f64', feedback: 'symmetric' };
    const rows: ResultRow[] = [];
    const row = (model: string, metric: string, value: number, start: number, extra: Record<string, unknown>, target?: { text: string; met: boolean }): ResultRow => ({
      experiment: 'eprop-exactness',
      model,
      metric,
      value,
      ...(target ? { target: target.text, met: target.met } : {}),
      seed: ctx.seed,
      sizes,
      device: DEVICE,
      wall_s: (performance.now() - start) / 1e3,
      extra,
    });
    for (const name of NEURONS) {
      for (const readoutDecay of READOUT_DECAYS) {
        const start = performance.now();
        const c = compareWithBptt({ ...COMPARISON_NEURONS[name], readoutDecay }, { zeroRecurrent: true, ...seeds });
        const perParam = Object.fromEntries(c.wrt.map((p) => [p, maxRelativeError(c.pair(p).online, c.pair(p).bptt)]));
        const worst = Math.max(...Object.values(perParam));
        rows.push(row(`${name}, κ = ${readoutDecay}, W_rec = 0`, 'max relative error vs BPTT', worst, start, { perParam }, { text: "≤ 1e-5", met: worst <= BOUND }));
        ctx.log(`${name} κ=${readoutDecay}: largest relative error ${worst.toExponential(2)}`);
      }
      const start = performance.now();
      const c = compareWithBptt({ ...COMPARISON_NEURONS[name], readoutDecay: 0.7 }, { zeroRecurrent: false, ...seeds });
      for (const group of ['input', 'recurrent', 'readout'] as const) {
        const { online, bptt } = c.pair(c.net.params[group]!);
        const value = cosine(online, bptt);
        rows.push(row(`${name}, κ = 0.7, recurrent: ${group} weights`, 'cosine(e-prop, BPTT)', value, start, { maxRelativeError: maxRelativeError(online, bptt) }));
        ctx.log(`${name} recurrent, ${group}: cosine ${value.toFixed(4)}`);
      }
    }
    return rows;
  },
};
