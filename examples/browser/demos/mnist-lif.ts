import { toArray, trace, type Graph, type GraphBuilder, type HostTensor, type Tensor } from '@spikeflow/core';
import { adam, countCorrect, buildLinear, lif, lifNeuron, linear, loadMnist, mnistSplit, sequentialMnist, softmaxCrossEntropy, trainingGraph, type LifSpec } from '@spikeflow/models';
import type { Demo, DemoBatch } from './demo.js';

const STEPS = 8;
const HIDDEN = 64;
const BATCH = 32;

/** A LIF layer as one scan that also stacks the membrane, which buildLif keeps inside its scan. */
function lifWithMembrane(b: GraphBuilder, x: Tensor, spec: LifSpec): { spikes: Tensor; membrane: Tensor } {
  const initial = lifNeuron.initialState(b, x.shape.slice(1), spec);
  const { outputs } = b.scan({
    carries: [initial.v],
    sequences: [x],
    consts: [],
    body: (bb, [v], [xt]) => {
      const next = lifNeuron.step(bb, { v: v! }, xt!, { attrs: spec });
      return { carries: [next.state.v], outputs: [next.output, next.state.v] };
    },
  });
  return { spikes: outputs[0]!, membrane: outputs[1]! };
}

/** 784 -> 64 LIF -> 10 LIF over 8 rate-coded steps; class scores are output spike counts. */
function model(probe: boolean): Graph {
  return trace((b): Record<string, Tensor> => {
    const x = b.input('x', [STEPS, BATCH, 784]);
    const spec = lif({ tau: 2, detachReset: true });
    const h = b.scope('linear0', () => buildLinear(b, x, linear(784, HIDDEN, { initScale: 4 })));
    const hidden = b.scope('lif1', () => lifWithMembrane(b, h, spec));
    const o = b.scope('linear2', () => buildLinear(b, hidden.spikes, linear(HIDDEN, 10, { initScale: 4 })));
    const scores = b.scope('lif3', () => lifWithMembrane(b, o, spec)).spikes.sum(0);
    if (probe) return { scores, spikes: hidden.spikes, membrane: hidden.membrane };
    return { loss: softmaxCrossEntropy(scores, b.input('labels', [BATCH], 'i32')) };
  });
}

function batchOf(batch: { inputs: Readonly<Record<string, HostTensor>>; labels?: HostTensor }): DemoBatch {
  const labels = batch.labels!;
  return { feeds: { x: batch.inputs.x!, labels }, accuracy: (scores) => countCorrect(scores, labels) / toArray(labels).length };
}

export async function mnistLif(): Promise<Demo> {
  const split = mnistSplit(await loadMnist());
  const encode = (data: typeof split.train) => sequentialMnist(data, { encoding: 'rate', steps: STEPS });
  const trainTask = encode(split.train);
  return {
    title: 'LIF MLP on MNIST',
    describe: `784 → ${HIDDEN} LIF → 10 LIF, ${STEPS} rate-coded steps, batch ${BATCH}, Adam; raster and membranes of the hidden layer, heat map of its input weights`,
    train: trainingGraph(model(false), { loss: 'loss', optimizer: adam() }),
    probe: model(true),
    weight: 'linear0/w',
    lr: 0.01,
    trainBatch: (step) => batchOf(trainTask.batch(BATCH, 1000 + step)),
    heldOut: batchOf(encode(split.test).batch(BATCH, 7)),
  };
}
