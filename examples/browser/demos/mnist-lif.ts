import { trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { adam, buildLinear, layerScope, classifierHead, classifierLoss, classifierScores, ifNeuron, integrateAndFire, lif, lifNeuron, linear, mnistSplit, sequentialMnist, trainingGraph, type IfSpec, type LifSpec, type LinearSpec } from '@spikeflow/models';
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
/** The settings that shape the network (the batch only sizes its input). */
type MlpNetwork = Omit<MlpSettings, 'batch'>;

/** The chosen neuron's spec: it fires at 1 and resets to 0, with the gradient through the reset stopped. */
function neuronSpec(s: MlpNetwork): LifSpec | IfSpec {
  const firing = { detachReset: true, surrogate: s.surrogate, alpha: s.alpha };
  return s.neuron === 'lif' ? lif({ tau: 2, ...firing }) : integrateAndFire(firing);
}

/** A spiking layer as one scan that also stacks the membrane, which the neuron's own apply keeps inside its scan. */
function layerWithMembrane(b: GraphBuilder, x: Tensor, spec: LifSpec | IfSpec): { spikes: Tensor; membrane: Tensor } {
  // LIF and IF share their state ({ v }) and their attrs' firing fields; the step reads the spec's kind.
  const neuron = (spec.kind === 'lif' ? lifNeuron : ifNeuron) as typeof lifNeuron;
  const attrs = spec as LifSpec;
  const initial = neuron.initialState(b, x.shape.slice(1), attrs);
  const { outputs } = b.scan({
    carries: [initial.v],
    sequences: [x],
    consts: [],
    body: (bb, [v], [xt]) => {
      const next = neuron.step(bb, { v: v! }, xt!, { attrs });
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

/** The LIF MLP's layers, in the models' sequential form: what its NIR export writes and a spec JSON import reads. */
export interface MlpSpec {
  readonly kind: 'sequential';
  readonly layers: readonly [LinearSpec, LifSpec | IfSpec, LinearSpec, LifSpec | IfSpec];
}

/** inputs -> hidden -> classes spiking neurons, as a sequential spec (scopes linear0, lif1 or if1, linear2, lif3 or if3). */
export function lifMlpSpec({ inputs, classes }: Pick<MlpShape, 'inputs' | 'classes'>, s: MlpNetwork): MlpSpec {
  const neuron = neuronSpec(s);
  return { kind: 'sequential', layers: [linear(inputs, s.hidden, { initScale: 4 }), neuron, linear(s.hidden, classes, { initScale: 4 }), neuron] };
}

/**
 * The spec's network over T steps (784 -> 64 LIF -> 10 LIF over 8 rate-coded steps for MNIST);
 * class scores are output spike counts. Built layer by layer in the spec's scopes, so its params
 * are the sequential model's, with the membranes recorded for the plots.
 */
export function lifMlp(probe: boolean, { steps, inputs, classes }: MlpShape, s: MlpSettings): Graph {
  const batch = probe ? HELD_OUT : s.batch;
  const [in0, neuron, in2] = lifMlpSpec({ inputs, classes }, s).layers;
  return trace((b): Record<string, Tensor> => {
    const x = b.input('x', [steps, batch, inputs]);
    const h = b.scope(layerScope('linear', 0), () => buildLinear(b, x, in0));
    const hidden = b.scope(layerScope(neuron.kind, 1), () => layerWithMembrane(b, h, neuron));
    const o = b.scope(layerScope('linear', 2), () => buildLinear(b, hidden.spikes, in2));
    const output = b.scope(layerScope(neuron.kind, 3), () => layerWithMembrane(b, o, neuron));
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
    sequential: lifMlpSpec(shape, s),
  };
}
