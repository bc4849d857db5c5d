import { trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { adam, buildLinear, linear, mnistSplit, psn, psnCharge, psnParams, psnSpikes, sequentialMnist, softmaxCrossEntropy, timeMajor, trainingGraph, type MnistData } from '@spikeflow/models';
import { labelledBatch, layerOutputs, namedLayer, type Demo, type DemoData } from './demo.js';

const T = 28;
const HIDDEN = 64;
const BATCH = 32;
const spec = psn(T);

/** A PSN layer that also returns its charge H = W·X + b, the membrane of a parallel spiking neuron. */
function psnWithCharge(b: GraphBuilder, x: Tensor): { spikes: Tensor; membrane: Tensor } {
  const { w, bias } = psnParams(b, T);
  const charge = psnCharge(w, bias, timeMajor(x));
  return { spikes: psnSpikes(charge, x, spec), membrane: charge.reshape(x.shape) };
}

/** Rows of the digit as 28 steps of 28 pixels → linear → PSN → linear → PSN → time-averaged spikes → linear. */
function model(probe: boolean): Graph {
  return trace((b): Record<string, Tensor> => {
    const x = b.input('x', [T, BATCH, 28]);
    const psn1 = b.scope('psn1', () => psnWithCharge(b, b.scope('linear', () => buildLinear(b, x, linear(28, HIDDEN, { bias: true, initScale: 4 })))));
    const psn2 = b.scope('psn2', () => psnWithCharge(b, b.scope('linear', () => buildLinear(b, psn1.spikes, linear(HIDDEN, HIDDEN, { bias: true, initScale: 4 })))));
    const scores = b.scope('readout', () => buildLinear(b, psn2.spikes.mean(0), linear(HIDDEN, 10, { bias: true, initScale: 4 })));
    if (probe) return { scores, ...layerOutputs({ psn1, psn2 }) };
    return { loss: softmaxCrossEntropy(scores, b.input('labels', [BATCH], 'i32')) };
  });
}

export async function psnSequentialMnist(data: DemoData): Promise<Demo> {
  const split = mnistSplit(await data.mnist());
  const rows = (set: MnistData) => sequentialMnist(set, { encoding: 'row' });
  const trainTask = rows(split.train);
  return {
    title: 'PSN sequential MNIST',
    describe: `row-wise MNIST (T = ${T} rows of 28 pixels) → ${HIDDEN} PSN → ${HIDDEN} PSN → readout of the time-averaged spikes, batch ${BATCH}, Adam; heat map of the first PSN layer's [T, T] time-mixing weights`,
    train: trainingGraph(model(false), { loss: 'loss', optimizer: adam() }),
    probe: model(true),
    scores: 'scores',
    layers: [
      namedLayer('psn1', `PSN layer 1 (${HIDDEN})`),
      namedLayer('psn2', `PSN layer 2 (${HIDDEN})`),
    ],
    weight: { param: 'psn1/w', rows: 'output step t', cols: 'input step' },
    lr: 0.003,
    chance: 0.1,
    trainBatch: (step) => labelledBatch(trainTask.batch(BATCH, 1000 + step)),
    heldOut: labelledBatch(rows(split.test).batch(BATCH, 7)),
  };
}
