import { cpuBackend } from '@spikeflow/core';
import { evidenceAccumulation } from '@spikeflow/models';
import type { Experiment, ResultRow } from '../experiment.js';
import type { OnlineLearning } from '../online-network-training.js';
import { evidenceNetworkOptions, trainEvidence, type EvidenceRun } from '../eprop-evidence-training.js';

const ACCURACY_BAR = 0.9;
// The CPU interpreter: for these small networks it ran e-prop about 2× and BPTT about 30× faster than WebGPU on a software rasterizer.
const DEVICE = 'CPU reference interpreter';

const MODELS: readonly { readonly model: string; readonly learning: OnlineLearning }[] = [
  { model: 'ALIF, e-prop (symmetric feedback)', learning: { kind: 'eprop', feedback: { kind: 'symmetric' } } },
  { model: 'ALIF, e-prop (random feedback)', learning: { kind: 'eprop', feedback: { kind: 'random', seed: 1 } } },
  { model: 'ALIF, BPTT', learning: { kind: 'bptt' } },
];

function evidenceRun(quick: boolean, seed: number): EvidenceRun {
  return quick
    ? { hidden: 4, batch: 4, epochs: 2, stepsPerEpoch: 2, lr: 0.01, validationBatches: 1, testBatches: 1, seed }
    : { hidden: 16, batch: 16, epochs: 10, stepsPerEpoch: 10, lr: 0.01, validationBatches: 4, testBatches: 16, seed };
}

/**
 * The e-prop paper's evidence-accumulation claim (Bellec et al. 2020, Fig. 3) at the task's small
 * 'ci' scale: an ALIF network trained by e-prop reaches ≥ 90% held-out accuracy; BPTT and random
 * e-prop beside it with the same network, init, episodes and budget. Each keeps the params of its
 * best validation epoch (validation episodes from a seed range of their own), tested on fresh episodes.
 */
export const epropEvidenceExperiment: Experiment = {
  id: 'eprop-evidence',
  title:
    "Evidence accumulation (Bellec et al. 2020, Fig. 3; the 'ci' scale: 7 cues of 4 steps every 6, delay 8, decision 6, T = 56): " +
    `one layer of 16 ALIF neurons with a leaky readout, trained by e-prop (symmetric feedback B = W_out; random feedback beside it), reaches ≥ ${ACCURACY_BAR * 100}% test accuracy; BPTT with the same network and budget beside it. ` +
    'The epoch kept is chosen on validation episodes; the CPU interpreter runs it.',
  variants: MODELS.map((m) => m.model),
  run: async (ctx) => {
    const run = evidenceRun(ctx.quick, ctx.seed);
    const info = evidenceAccumulation().info;
    const net = evidenceNetworkOptions(run);
    const backend = cpuBackend();
    const rows: ResultRow[] = [];
    for (const { model, learning } of MODELS.filter((m) => ctx.variants === undefined || ctx.variants.includes(m.model))) {
      ctx.log(`training ${model}`);
      const start = performance.now();
      const outcome = await trainEvidence(backend, run, learning, (line) => ctx.log(`${model}: ${line}`));
      const isEprop = learning.kind === 'eprop';
      rows.push({
        experiment: 'eprop-evidence',
        model,
        metric: 'test accuracy',
        value: outcome.testAccuracy,
        ...(isEprop ? { target: `≥ ${ACCURACY_BAR}`, met: outcome.testAccuracy >= ACCURACY_BAR } : {}),
        seed: ctx.seed,
        sizes: {
          T: info.steps,
          inputs: info.inputSize,
          hidden: run.hidden,
          neuron: 'ALIF (tauM 10, tauA 60, beta 1, b0 0.3, nRef 2)',
          readoutDecay: Number(net.readoutDecay!.toFixed(4)),
          rateTarget: net.rateRegularization!.target,
          batch: run.batch,
          optimizer: 'adam',
          lr: run.lr,
          maxSteps: run.epochs * run.stepsPerEpoch,
          chosenSteps: outcome.chosenSteps,
          validationEpisodes: run.validationBatches * run.batch,
          testEpisodes: outcome.testEpisodes,
        },
        device: DEVICE,
        wall_s: (performance.now() - start) / 1e3,
        extra: { testLoss: outcome.testLoss, initial: outcome.initial, curve: outcome.curve, trainSeconds: outcome.trainSeconds },
      });
    }
    return rows;
  },
};
