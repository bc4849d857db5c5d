import { trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { adam, buildLinear, linear, mnistSplit, psn, psnCharge, psnParams, psnSpikes, sequentialMnist, softmaxCrossEntropy, timeMajor, trainingGraph, type MnistData, type PsnSpec } from '@spikeflow/models';
import { labelledBatch, layerOutputs, namedLayer, type Demo, type DemoData } from './demo.js';
import { surrogateLabel } from './mnist-lif.js';
import type { DemoSettings, SettingName } from './settings.js';

/** T is the digit's 28 rows. */
const T = 28;
const HELD_OUT = 32;
export const PSN_DEFAULTS: DemoSettings = { lr: 0.003, batch: 32, hidden: 64, steps: T, surrogate: 'atan', alpha: 2, neuron: 'lif' };
export const PSN_SETTINGS: readonly SettingName[] = ['lr', 'batch', 'hidden', 'surrogate', 'alpha'];

/** A PSN layer (it fires where its charge reaches 0: the threshold is in the bias) that also returns its charge H = W·X + b, the membrane of a parallel spiking neuron. */
function psnWithCharge(b: GraphBuilder, x: Tensor, spec: PsnSpec): { spikes: Tensor; membrane: Tensor } {
  const { w, bias } = psnParams(b, T);
  const charge = psnCharge(w, bias, timeMajor(x));
  return { spikes: psnSpikes(charge, x, spec), membrane: charge.reshape(x.shape) };
}

/** Rows of the digit as 28 steps of 28 pixels → linear → PSN → linear → PSN → time-averaged spikes → linear. */
function model(probe: boolean, s: DemoSettings): Graph {
  const batch = probe ? HELD_OUT : s.batch;
  const spec = psn(T, { surrogate: s.surrogate, alpha: s.alpha });
  return trace((b): Record<string, Tensor> => {
    const x = b.input('x', [T, batch, 28]);
    const psn1 = b.scope('psn1', () => psnWithCharge(b, b.scope('linear', () => buildLinear(b, x, linear(28, s.hidden, { bias: true, initScale: 4 }))), spec));
    const psn2 = b.scope('psn2', () => psnWithCharge(b, b.scope('linear', () => buildLinear(b, psn1.spikes, linear(s.hidden, s.hidden, { bias: true, initScale: 4 }))), spec));
    const scores = b.scope('readout', () => buildLinear(b, psn2.spikes.mean(0), linear(s.hidden, 10, { bias: true, initScale: 4 })));
    if (probe) return { scores, ...layerOutputs({ psn1, psn2 }) };
    return { loss: softmaxCrossEntropy(scores, b.input('labels', [batch], 'i32')) };
  });
}

export async function psnSequentialMnist(data: DemoData, s: DemoSettings): Promise<Demo> {
  const split = mnistSplit(await data.mnist());
  const rows = (set: MnistData) => sequentialMnist(set, { encoding: 'row' });
  const trainTask = rows(split.train);
  return {
    title: 'PSN sequential MNIST',
    describe: `row-wise MNIST (T = ${T} rows of 28 pixels) → ${s.hidden} PSN → ${s.hidden} PSN → readout of the time-averaged spikes, ${surrogateLabel(s)}, batch ${s.batch}, Adam lr ${s.lr}; heat map of the first PSN layer's [T, T] time-mixing weights`,
    train: trainingGraph(model(false, s), { loss: 'loss', optimizer: adam() }),
    probe: model(true, s),
    scores: 'scores',
    layers: [
      namedLayer('psn1', `PSN layer 1 (${s.hidden})`, 0),
      namedLayer('psn2', `PSN layer 2 (${s.hidden})`, 0),
    ],
    weight: { param: 'psn1/w', rows: 'output step t', cols: 'input step' },
    lr: s.lr,
    chance: 0.1,
    trainBatch: (step) => labelledBatch(trainTask.batch(s.batch, 1000 + step)),
    heldOut: labelledBatch(rows(split.test).batch(HELD_OUT, 7)),
  };
}
