import { toArray, trace, type Graph, type HostTensor, type Tensor } from '@spikeflow/core';
import { adam, lsnn, storeRecall, storeRecallLsnn, trainingGraph } from '@spikeflow/models';
import { layerOutputs, namedLayer, type Demo, type DemoBatch } from './demo.js';

const BATCH = 32;
/** Held-out episodes per probe: enough that the accuracy curve shows learning rather than sampling noise. */
const HELD_OUT = 128;
const task = storeRecall({ length: 6, charSteps: 6 });
const { steps: T, inputSize, outputSize } = task.info;
// Twice the reference's 10 + 10 neurons, and an adaptation time constant of 200 steps (the
// reference's 1200 is for episodes of thousands of steps): it learns visibly within ~100 steps.
const [N_LIF, N_ALIF] = [20, 20];
const TAU_A = 200;

/** Softmax cross-entropy of logits [T, B, C] against classes [T, B], averaged over the scored steps. */
function maskedCrossEntropy(logits: Tensor, classes: Tensor, mask: Tensor): Tensor {
  const shifted = logits.sub(logits.max(-1, true).stopGradient());
  const logProbs = shifted.sub(shifted.exp().sum(-1, true).log());
  const picked = logProbs.mul(classes.oneHot(outputSize)).sum(-1);
  return picked.mul(mask).sum().neg().div(mask.sum().maximum(1));
}

/** The reference store-recall LSNN, resized as above; the probe records the membranes, split by population. */
function model(probe: boolean): Graph {
  const batch = probe ? HELD_OUT : BATCH;
  const net = lsnn(storeRecallLsnn({ inputs: inputSize, outputs: outputSize }, { nLif: N_LIF, nAlif: N_ALIF, tauA: TAU_A, seed: 1, outputScale: 4, record: probe }));
  return trace((b): Record<string, Tensor> => {
    const p = net(b, b.input('x', [T, batch, inputSize]));
    if (!probe) return { loss: maskedCrossEntropy(p.readout, b.input('targets', [T, batch], 'i32'), b.input('mask', [T, batch])) };
    // The recurrent layer holds the LIF neurons first, then the ALIF ones.
    const population = (from: number, to: number) => ({ spikes: p.spikes.slice([0, 0, from], [T, batch, to]), membrane: p.recorded!.voltage.slice([0, 0, from], [T, batch, to]) });
    return { scores: p.readout, ...layerOutputs({ lif: population(0, N_LIF), alif: population(N_LIF, N_LIF + N_ALIF) }) };
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

export async function storeRecallLsnnDemo(): Promise<Demo> {
  return {
    title: 'LSNN store-recall',
    describe: `${N_LIF} LIF + ${N_ALIF} ALIF recurrent neurons (adaptation τ ${TAU_A} steps), ${T} steps, batch ${BATCH}, Adam; chance ${task.info.chance.value}; heat map of the recurrent weights`,
    train: trainingGraph(model(false), { loss: 'loss', optimizer: adam() }),
    probe: model(true),
    scores: 'scores',
    layers: [
      namedLayer('alif', `ALIF neurons (${N_ALIF})`),
      namedLayer('lif', `LIF neurons (${N_LIF})`),
    ],
    weight: { param: 'lsnn/rec/w', rows: 'presynaptic neuron', cols: 'postsynaptic neuron' },
    lr: 0.01,
    chance: task.info.chance.value,
    trainBatch: (step) => batchOf(BATCH, 100 + step),
    heldOut: batchOf(HELD_OUT, 7),
  };
}
