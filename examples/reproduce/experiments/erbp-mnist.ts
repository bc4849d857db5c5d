import { loadMnist, mnistSplit } from '@spikeflow/models';
import type { Experiment, ResultRow } from '../experiment.js';
import { trainErbpMnist, type ErbpMnistArchitecture, type ErbpMnistBudget, type ErbpMnistRule } from '../erbp-mnist-training.js';

/**
 * eRBP (Neftci et al. 2017) on the MNIST digits beside the same network trained by gradients of
 * three kinds. Sized for about 12 minutes on a shared 2-core machine's software GPU (lavapipe);
 * the measured times are in docs/learning/erbp.md.
 */
const ARCH: ErbpMnistArchitecture = { sizes: [784, 400, 10], steps: 8 };
const BUDGET: ErbpMnistBudget = { epochs: 3, batch: 100, lr: 3e-3, validation: 500 };

/** The CI version: eRBP alone (unless --variants asks), 2,000 digits, one epoch (40 steps), a smaller network; it must beat chance (10%) by 30 points. */
export const QUICK_ARCH: ErbpMnistArchitecture = { sizes: [784, 100, 10], steps: 8 };
export const QUICK_BUDGET: ErbpMnistBudget = { epochs: 1, batch: 50, lr: 5e-3, validation: 200, trainCount: 2000, testCount: 500 };

const RULES: readonly ErbpMnistRule[] = ['erbp', 'fa', 'dfa', 'bptt'];
const NAMES: Readonly<Record<ErbpMnistRule, string>> = {
  erbp: 'eRBP (online, two-compartment I&F)',
  fa: 'feedback alignment',
  dfa: 'direct feedback alignment',
  bptt: 'BPTT, surrogate gradient (atan)',
};

export const erbpMnistExperiment: Experiment = {
  id: 'erbp-mnist',
  title:
    'eRBP, event-driven random backpropagation (Neftci et al. 2017; a 784-400-10 network of its two-compartment I&F neurons, T = 8) on the MNIST digits (8,000 train / 2,000 test; part of the training digits held out to choose the epoch), beside the same network trained by feedback alignment, direct feedback alignment and BPTT; target ≥ 92% for eRBP (the paper trains on 50,000 digits as Poisson spike trains)',
  variants: RULES,
  async run(ctx) {
    const arch = ctx.quick ? QUICK_ARCH : ARCH;
    const budget = ctx.quick ? QUICK_BUDGET : BUDGET;
    const split = mnistSplit(await loadMnist());
    const rows: ResultRow[] = [];
    const chosen = ctx.variants ?? (ctx.quick ? ['erbp'] : RULES);
    for (const rule of RULES.filter((r) => chosen.includes(r))) {
      const run = await trainErbpMnist({ backend: ctx.backend, rule, arch, budget, split, seed: ctx.seed, log: ctx.log });
      const target = rule === 'erbp' ? (ctx.quick ? '≥ 0.40' : '≥ 0.92') : undefined;
      const bar = ctx.quick ? 0.4 : 0.92;
      rows.push({
        experiment: 'erbp-mnist',
        model: NAMES[rule],
        metric: 'test accuracy',
        value: run.testAccuracy,
        ...(target ? { target, met: run.testAccuracy >= bar } : {}),
        seed: ctx.seed,
        sizes: {
          train: run.trainCount,
          validation: budget.validation,
          test: run.testCount,
          T: arch.steps,
          network: `${arch.sizes.join('-')}, two-compartment I&F (α 0.8, β 0.8, θ 1, subtractive reset); the pixel values as input current at every step; the output's rate scored`,
          loss: '½ Σ_c (rate_c − label_c)², whose gradient in the rate is eRBP’s error',
          epochs: budget.epochs,
          chosenEpoch: run.chosenEpoch,
          batch: budget.batch,
          optimizer: 'Adam',
          lr: budget.lr,
          scored: 'the params after the epoch with the best validation accuracy',
        },
        device: ctx.device,
        wall_s: run.wall_s,
        extra: { curve: run.curve },
      });
    }
    return rows;
  },
};
