import { trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { adam, buildLinear, classifierHead, classifierLoss, classifierScores, ifNeuron, integrateAndFire, lif, lifNeuron, linear, mnistSplit, sequentialMnist, trainingGraph } from '@spikeflow/models';
import { labelledBatch, layerOutputs, namedLayer, type Demo, type DemoData } from './demo.js';
import type { DemoSettings, SettingName } from './settings.js';

/** The held-out batch the probe scores; fixed, so accuracies of runs with other batch sizes compare. */
export const HELD_OUT = 32;
const HEAD = classifierHead({ readout: 'count', loss: 'crossEntropy' });

/** Defaults that learn MNIST visibly within ~50 steps. */
export const LIF_MLP_DEFAULTS: DemoSettings = { lr: 0.01, batch: 32, hidden: 64, steps: 8, surrogate: 'atan', alpha: 2, neuron: 'lif' };
/** The settings the LIF MLP takes from the page (on a data file, T is the file's). */
export const LIF_MLP_SETTINGS: readonly SettingName[] = ['lr', 'batch', 'hidden', 'steps', 'surrogate', 'alpha', 'neuron'];

type MlpSettings = Pick<DemoSettings, 'batch' | 'hidden' | 'surrogate' | 'alpha' | 'neuron'>;

/** The chosen neuron and its spec; both fire at 1 and reset to 0, with the gradient through the reset stopped. */
function neuronOf(s: MlpSettings) {
  const firing = { detachReset: true, surrogate: s.surrogate, alpha: s.alpha };
  return s.neuron === 'lif' ? { neuron: lifNeuron, spec: lif({ tau: 2, ...firing }) } : { neuron: ifNeuron, spec: integrateAndFire(firing) };
}

/** A spiking layer as one scan that also stacks the membrane, which the neuron's own apply keeps inside its scan. */
function layerWithMembrane(b: GraphBuilder, x: Tensor, s: MlpSettings): { spikes: Tensor; membrane: Tensor } {
  const { neuron, spec } = neuronOf(s) as ReturnType<typeof neuronOf> & { neuron: typeof lifNeuron; spec: ReturnType<typeof lif> };
  const initial = neuron.initialState(b, x.shape.slice(1), spec);
  const { outputs } = b.scan({
    carries: [initial.v],
    sequences: [x],
    consts: [],
    body: (bb, [v], [xt]) => {
      const next = neuron.step(bb, { v: v! }, xt!, { attrs: spec });
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

/** inputs -> hidden -> classes spiking neurons over T steps (784 -> 64 LIF -> 10 LIF over 8 rate-coded steps for MNIST); class scores are output spike counts. */
export function lifMlp(probe: boolean, { steps, inputs, classes }: MlpShape, s: MlpSettings): Graph {
  const batch = probe ? HELD_OUT : s.batch;
  return trace((b): Record<string, Tensor> => {
    const x = b.input('x', [steps, batch, inputs]);
    const h = b.scope('linear0', () => buildLinear(b, x, linear(inputs, s.hidden, { initScale: 4 })));
    const hidden = b.scope('lif1', () => layerWithMembrane(b, h, s));
    const o = b.scope('linear2', () => buildLinear(b, hidden.spikes, linear(s.hidden, classes, { initScale: 4 })));
    const output = b.scope('lif3', () => layerWithMembrane(b, o, s));
    const scores = classifierScores(output.spikes, HEAD);
    if (probe) return { scores, ...layerOutputs({ hidden, output }) };
    return { loss: classifierLoss(scores, b.input('labels', [batch], 'i32'), HEAD) };
  });
}

/** The neuron as the description and layer labels name it. */
export const neuronLabel = (s: MlpSettings): string => s.neuron.toUpperCase();
/** The surrogate as the description names it. */
export const surrogateLabel = (s: Pick<DemoSettings, 'surrogate' | 'alpha'>): string => `${s.surrogate} surrogate (α ${s.alpha})`;

export async function mnistLif(data: DemoData, s: DemoSettings): Promise<Demo> {
  const split = mnistSplit(await data.mnist());
  const encode = (set: typeof split.train) => sequentialMnist(set, { encoding: 'rate', steps: s.steps });
  const trainTask = encode(split.train);
  const shape = { steps: s.steps, inputs: 784, classes: 10 };
  const n = neuronLabel(s);
  return {
    title: 'LIF MLP on MNIST',
    describe: `784 → ${s.hidden} ${n} → 10 ${n}, ${s.steps} rate-coded steps, ${surrogateLabel(s)}, batch ${s.batch}, Adam lr ${s.lr}; heat map of the hidden layer's input weights`,
    train: trainingGraph(lifMlp(false, shape, s), { loss: 'loss', optimizer: adam() }),
    probe: lifMlp(true, shape, s),
    scores: 'scores',
    layers: [
      namedLayer('hidden', `hidden ${n} layer (${s.hidden})`, 1),
      namedLayer('output', `output ${n} layer (10)`, 1),
    ],
    weight: { param: 'linear0/w', rows: 'input pixel', cols: 'hidden neuron' },
    lr: s.lr,
    chance: 0.1,
    trainBatch: (step) => labelledBatch(trainTask.batch(s.batch, 1000 + step)),
    heldOut: labelledBatch(encode(split.test).batch(HELD_OUT, 7)),
  };
}
