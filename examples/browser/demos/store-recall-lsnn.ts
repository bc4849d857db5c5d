import { toArray, trace, type Graph, type HostTensor, type Tensor } from '@spikeflow/core';
import { adam, lsnn, storeRecall, storeRecallLsnn, trainingGraph } from '@spikeflow/models';
import type { Demo, DemoBatch } from './demo.js';

const BATCH = 32;
const task = storeRecall({ length: 6, charSteps: 6 });
const { steps: T, inputSize, outputSize } = task.info;

/** Softmax cross-entropy of logits [T, B, C] against classes [T, B], averaged over the scored steps. */
function maskedCrossEntropy(logits: Tensor, classes: Tensor, mask: Tensor): Tensor {
  const shifted = logits.sub(logits.max(-1, true).stopGradient());
  const logProbs = shifted.sub(shifted.exp().sum(-1, true).log());
  const picked = logProbs.mul(classes.oneHot(outputSize)).sum(-1);
  return picked.mul(mask).sum().neg().div(mask.sum().maximum(1));
}

/** The reference store-recall LSNN (10 LIF + 10 ALIF); the probe records the membranes. */
function model(probe: boolean): Graph {
  const net = lsnn(storeRecallLsnn({ inputs: inputSize, outputs: outputSize }, { seed: 1, outputScale: 4, record: probe }));
  return trace((b): Record<string, Tensor> => {
    const p = net(b, b.input('x', [T, BATCH, inputSize]));
    if (probe) return { scores: p.readout, spikes: p.spikes, membrane: p.recorded!.voltage };
    return { loss: maskedCrossEntropy(p.readout, b.input('targets', [T, BATCH], 'i32'), b.input('mask', [T, BATCH])) };
  });
}

/** Accuracy over the scored (recall) steps: the largest logit is the stored value. */
function batchOf(seed: number): DemoBatch {
  const episodes = task.batch(BATCH, seed);
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
    describe: `10 LIF + 10 ALIF recurrent neurons, ${task.info.steps} steps, batch ${BATCH}, Adam; chance ${task.info.chance.value}; heat map of the recurrent weights`,
    train: trainingGraph(model(false), { loss: 'loss', optimizer: adam() }),
    probe: model(true),
    weight: 'lsnn/rec/w',
    lr: 0.03,
    trainBatch: (step) => batchOf(100 + step),
    heldOut: batchOf(7),
  };
}
