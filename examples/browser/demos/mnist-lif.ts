import { trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { adam, buildLinear, classifierHead, classifierLoss, classifierScores, lif, lifNeuron, linear, mnistSplit, sequentialMnist, trainingGraph, type LifSpec } from '@spikeflow/models';
import { labelledBatch, layerOutputs, namedLayer, type Demo, type DemoData } from './demo.js';

const STEPS = 8;
export const HIDDEN = 64;
export const BATCH = 32;
const HEAD = classifierHead({ readout: 'count', loss: 'crossEntropy' });

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

export interface MlpShape {
  readonly steps: number;
  readonly inputs: number;
  readonly classes: number;
}

/** inputs -> 64 LIF -> classes LIF over T steps (784 -> 10 over 8 rate-coded steps for MNIST); class scores are output spike counts. */
export function lifMlp(probe: boolean, { steps, inputs, classes }: MlpShape = { steps: STEPS, inputs: 784, classes: 10 }): Graph {
  return trace((b): Record<string, Tensor> => {
    const x = b.input('x', [steps, BATCH, inputs]);
    const spec = lif({ tau: 2, detachReset: true });
    const h = b.scope('linear0', () => buildLinear(b, x, linear(inputs, HIDDEN, { initScale: 4 })));
    const hidden = b.scope('lif1', () => lifWithMembrane(b, h, spec));
    const o = b.scope('linear2', () => buildLinear(b, hidden.spikes, linear(HIDDEN, classes, { initScale: 4 })));
    const output = b.scope('lif3', () => lifWithMembrane(b, o, spec));
    const scores = classifierScores(output.spikes, HEAD);
    if (probe) return { scores, ...layerOutputs({ hidden, output }) };
    return { loss: classifierLoss(scores, b.input('labels', [BATCH], 'i32'), HEAD) };
  });
}

export async function mnistLif(data: DemoData): Promise<Demo> {
  const split = mnistSplit(await data.mnist());
  const encode = (set: typeof split.train) => sequentialMnist(set, { encoding: 'rate', steps: STEPS });
  const trainTask = encode(split.train);
  return {
    title: 'LIF MLP on MNIST',
    describe: `784 → ${HIDDEN} LIF → 10 LIF, ${STEPS} rate-coded steps, batch ${BATCH}, Adam; heat map of the hidden layer's input weights`,
    train: trainingGraph(lifMlp(false), { loss: 'loss', optimizer: adam() }),
    probe: lifMlp(true),
    scores: 'scores',
    layers: [
      namedLayer('hidden', `hidden LIF layer (${HIDDEN})`),
      namedLayer('output', 'output LIF layer (10)'),
    ],
    weight: { param: 'linear0/w', rows: 'input pixel', cols: 'hidden neuron' },
    lr: 0.01,
    chance: 0.1,
    trainBatch: (step) => labelledBatch(trainTask.batch(BATCH, 1000 + step)),
    heldOut: labelledBatch(encode(split.test).batch(BATCH, 7)),
  };
}
