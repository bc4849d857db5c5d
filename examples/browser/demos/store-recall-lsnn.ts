import { toArray, trace, type Graph, type HostTensor, type Tensor } from '@spikeflow/core';
import { adam, lsnn, storeRecall, storeRecallLsnn, trainingGraph } from '@spikeflow/models';
import { layerOutputs, namedLayer, type Demo, type DemoBatch } from './demo.js';
import type { DemoSettings, SettingName } from './settings.js';

/** Held-out episodes per probe: enough that the accuracy curve shows learning rather than sampling noise. */
const HELD_OUT = 128;
const task = storeRecall({ length: 6, charSteps: 6 });
const { steps: T, inputSize, outputSize } = task.info;
// Twice the reference's 10 + 10 neurons, and an adaptation time constant of 200 steps (the
// reference's 1200 is for episodes of thousands of steps): it learns visibly within ~100 steps.
// `hidden` sizes each population. The LSNN's surrogate is its own triangle, γ·max(0, 1 − |x|): α sets γ.
const TAU_A = 200;
/** The preset's baseline threshold b0, where an unadapted neuron fires. */
const B0 = storeRecallLsnn({ inputs: 1, outputs: 1 }).b0!;
export const STORE_RECALL_DEFAULTS: DemoSettings = { lr: 0.01, batch: 32, hidden: 20, steps: T, surrogate: 'triangle', alpha: 0.3, neuron: 'lif' };
export const STORE_RECALL_SETTINGS: readonly SettingName[] = ['lr', 'batch', 'hidden', 'alpha'];

/** Softmax cross-entropy of logits [T, B, C] against classes [T, B], averaged over the scored steps. */
function maskedCrossEntropy(logits: Tensor, classes: Tensor, mask: Tensor): Tensor {
  const shifted = logits.sub(logits.max(-1, true).stopGradient());
  const logProbs = shifted.sub(shifted.exp().sum(-1, true).log());
  const picked = logProbs.mul(classes.oneHot(outputSize)).sum(-1);
  return picked.mul(mask).sum().neg().div(mask.sum().maximum(1));
}

/** The reference store-recall LSNN, resized as above; the probe records the membranes, split by population. */
function model(probe: boolean, s: DemoSettings): Graph {
  const batch = probe ? HELD_OUT : s.batch;
  const [nLif, nAlif] = [s.hidden, s.hidden];
  const net = lsnn(storeRecallLsnn({ inputs: inputSize, outputs: outputSize }, { nLif, nAlif, tauA: TAU_A, gamma: s.alpha, seed: 1, outputScale: 4, record: probe }));
  return trace((b): Record<string, Tensor> => {
    const p = net(b, b.input('x', [T, batch, inputSize]));
    if (!probe) return { loss: maskedCrossEntropy(p.readout, b.input('targets', [T, batch], 'i32'), b.input('mask', [T, batch])) };
    // The recurrent layer holds the LIF neurons first, then the ALIF ones.
    const population = (from: number, to: number) => ({ spikes: p.spikes.slice([0, 0, from], [T, batch, to]), membrane: p.recorded!.voltage.slice([0, 0, from], [T, batch, to]) });
    return { scores: p.readout, ...layerOutputs({ lif: population(0, nLif), alif: population(nLif, nLif + nAlif) }) };
  });
}

/** Accuracy over the scored (recall) steps: the largest logit is the stored value. */
function batchOf(size: number, seed: number): DemoBatch {
  const episodes = task.batch(size, seed);
  const [targets, mask] = [toArray(episodes.targets), toArray(episodes.mask)];
  return {
    feeds: { x: episodes.inputs.x!, targets: episodes.targets, mask: episodes.mask },
    accuracy(scores: HostTensor) {
      const logits = toArray(scores);
      let right = 0;
      let scored = 0;
      mask.forEach((m, k) => {
        if (m === 0) return;
        const row = Array.from(logits.slice(k * outputSize, (k + 1) * outputSize));
        right += Number(row.indexOf(Math.max(...row)) === targets[k]);
        scored++;
      });
      return right / Math.max(scored, 1);
    },
  };
}

export async function storeRecallLsnnDemo(_data: unknown, s: DemoSettings): Promise<Demo> {
  return {
    title: 'LSNN store-recall',
    describe: `${s.hidden} LIF + ${s.hidden} ALIF recurrent neurons (adaptation τ ${TAU_A} steps), ${T} steps, triangle surrogate (γ ${s.alpha}), batch ${s.batch}, Adam lr ${s.lr}; chance ${task.info.chance.value}; heat map of the recurrent weights`,
    train: trainingGraph(model(false, s), { loss: 'loss', optimizer: adam() }),
    probe: model(true, s),
    scores: 'scores',
    layers: [
      namedLayer('alif', `ALIF neurons (${s.hidden})`, B0),
      namedLayer('lif', `LIF neurons (${s.hidden})`, B0),
    ],
    weight: { param: 'lsnn/rec/w', rows: 'presynaptic neuron', cols: 'postsynaptic neuron' },
    lr: s.lr,
    chance: task.info.chance.value,
    trainBatch: (step) => batchOf(s.batch, 100 + step),
    heldOut: batchOf(HELD_OUT, 7),
  };
}
