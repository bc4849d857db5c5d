import { loadMnist, mnistSplit } from '@spikeflow/models';
import type { Experiment, ResultRow } from '../experiment.js';
import { SMNIST_NEURON_NAMES, SMNIST_NEURONS, type SmnistArchitecture } from '../smnist-model.js';
import { trainSmnist, type SmnistBudget } from '../smnist-training.js';

/** The PSN paper's claim, as the issue states it for 8,000 training digits. */
const PSN_TARGET = 0.96;

export const SMNIST_ARCH: SmnistArchitecture = { steps: 28, inputSize: 28, classes: 10, hidden: 256, order: 8, lifTau: 2, norm: 'sequence' };
/**
 * One budget for all four neurons. Shifted training digits counter the overfitting of the
 * unaugmented run (width 64, 8 epochs: PSN train loss 0.18 against held-out 0.34, accuracy flat at
 * 90%). Width 128 with per-step layer norm plateaued at 91% (9 epochs); width 256 with the
 * sequence layer norm reached 95.4% in 12 epochs with the train loss still falling, hence 20.
 * The shift was then chosen on a validation split (1,000 of the 8,000 training digits, PSN, seed 2,
 * the test digits unseen): ±3 px reached 95.9% (loss 0.137) where ±2 px reached 95.3% (0.146), ±2 px
 * with spike dropout 0.2 94.9% (0.140) and ±2 px with weight decay 0.05 94.9% (0.150). Turning and
 * scaling the digits as well (±10°/±10%: 94.2%, ±15°/±15%: 95.6%) did not help in 20 epochs. With the
 * held-out loss still falling at epoch 20, 30 epochs at ±3 px reached 96.4% (loss 0.116; seed 2)
 * and 95.6% (0.129; seed 3). On the same validation split at 30 epochs, seeds 2 and 3, neither
 * elastic distortion (Simard et al. 2003, σ = 4 px) on top of the shifts (α = 34: 96.2% / 95.7%,
 * loss 0.125 / 0.137, the training loss stuck near 0.31; α = 17: 95.7% / 95.5%) nor averaging the params of epochs 21-30 (96.2% / 95.2%
 * against 95.7% / 95.5% for the last params of the α = 17 runs) beat the shifts alone. Label
 * smoothing ε = 0.1 did, narrowly: 96.7% / 96.1%, ahead at each of the last five epochs at both
 * seeds, but over epochs 21-30 only 0.4 / 0.05 points ahead on average. It is the only setting to
 * come out ahead at both seeds, so the budget smooths the labels by 0.1.
 */
export const SMNIST_BUDGET: SmnistBudget = { epochs: 30, batch: 50, lr: 5e-3, weightDecay: 1e-4, maxShift: 3, labelSmoothing: 0.1 };

/** A smoke run of the same code path: a few hundred digits, one epoch, a narrow network. */
const QUICK_ARCH: SmnistArchitecture = { ...SMNIST_ARCH, hidden: 16 };
const QUICK_BUDGET: SmnistBudget = { ...SMNIST_BUDGET, epochs: 1, trainCount: 200, testCount: 100 };

function augmentationText(budget: SmnistBudget): string {
  const parts = [
    ...(budget.elastic ? [`bent by an elastic field (Simard et al. 2003: uniform [−1, 1] per pixel, Gaussian σ = ${budget.elastic.sigma} px, α = ${budget.elastic.alpha} px, bilinear)`] : []),
    ...(budget.warp ? [`turned by up to ±${budget.warp.maxDegrees}° and scaled by up to ±${100 * budget.warp.maxScale}% (bilinear)`] : []),
    ...((budget.maxShift ?? 0) > 0 ? [`shifted by up to ±${budget.maxShift} px per axis`] : []),
  ];
  return parts.length === 0 ? 'none' : `training digits ${parts.join(', then ')}, redrawn each epoch; held-out digits untouched`;
}

export const smnistExperiment: Experiment = {
  id: 'smnist',
  title:
    'Row-wise sequential MNIST (T = 28 rows of 28 pixels, 8,000 train / 2,000 test digits): PSN reaches >= 96% test accuracy (Fang et al., NeurIPS 2023); masked PSN, sliding PSN and multi-step LIF in the same network with the same budget beside it',
  variants: SMNIST_NEURONS,
  async run(ctx) {
    const arch = ctx.quick ? QUICK_ARCH : SMNIST_ARCH;
    const budget = ctx.quick ? QUICK_BUDGET : SMNIST_BUDGET;
    const split = mnistSplit(await loadMnist());
    const rows: ResultRow[] = [];
    for (const neuron of SMNIST_NEURONS.filter((n) => ctx.variants === undefined || ctx.variants.includes(n))) {
      ctx.log(`training ${SMNIST_NEURON_NAMES[neuron]}`);
      const run = await trainSmnist({ backend: ctx.backend, neuron, arch, budget, split, seed: ctx.seed, log: ctx.log });
      const isPsn = neuron === 'psn';
      rows.push({
        experiment: 'smnist',
        model: SMNIST_NEURON_NAMES[neuron],
        metric: 'test accuracy',
        value: run.testAccuracy,
        ...(isPsn ? { target: `>= ${PSN_TARGET}`, met: run.testAccuracy >= PSN_TARGET } : {}),
        seed: ctx.seed,
        sizes: {
          train: run.trainCount,
          test: run.testCount,
          T: arch.steps,
          network: `${arch.inputSize}-${arch.hidden}-${arch.hidden}-${arch.classes}, ${arch.norm === 'sequence' ? "layer norm over each digit's whole sequence" : 'layer norm over each step'} before each spiking layer, time-mean readout`,
          ...(neuron === 'maskedPsn' || neuron === 'slidingPsn' ? { order: arch.order } : {}),
          ...(neuron === 'lif' ? { tau: arch.lifTau } : {}),
          epochs: budget.epochs,
          batch: budget.batch,
          augmentation: augmentationText(budget),
          dropout: (arch.dropout ?? 0) > 0 ? `p = ${arch.dropout} on each spiking layer's spikes, one mask per digit shared over T` : 'none',
          steps: run.steps,
          loss: `cross-entropy of the time-mean readout${(budget.labelSmoothing ?? 0) > 0 ? `, labels smoothed by ε = ${budget.labelSmoothing}` : ''}`,
          optimizer: `AdamW (weight decay ${budget.weightDecay})`,
          lr: `${budget.lr}, cosine to 0 per step`,
          scored: budget.averageFrom === undefined ? 'the last params' : `the mean of the params after epochs ${budget.averageFrom}-${budget.epochs} (stochastic weight averaging)`,
          ...(neuron === 'maskedPsn' ? { lambda: 'min(8·epoch/(epochs − 1), 1) per epoch' } : {}),
        },
        device: ctx.device,
        wall_s: run.wall_s,
        extra: { curve: run.curve, ...(run.averaged === undefined ? {} : { averaged: run.averaged }) },
      });
    }
    return rows;
  },
};
