import { fail, GraphBuilder, type Graph, type Tensor } from '@spikeflow/core';
import { DirectFeedback } from '../layers/direct-feedback.js';
import { feedbackAlignmentMatmul, feedbackSeed, randomFeedback } from '../layers/feedback-alignment.js';
import { erbpNeuron, twoCompartmentInput, type ErbpNeuronSpec } from './erbp-neuron.js';

/**
 * The feedforward network eRBP trains (e.g. 784-500-10 or 784-200-200-10): every layer is a layer
 * of eRBP's two-compartment neurons driven by I_t = s_{t} W_l, the input layer's s the static image
 * (the pixel values at every one of T steps). The prediction is the output layer's firing rate
 * r = (1/T) Σ_t z_t; the loss ½ Σ_c (r_c − y_c)² (mean over the batch), whose gradient in r is
 * eRBP's error e = prediction − label. `model` is this network as an ordinary graph, trained by
 * gradients (`backward`: BPTT, feedback alignment or direct feedback alignment) or scored; `erbp`
 * builds its own online graph of it with the same param names.
 */
export interface ErbpNetworkOptions {
  /** [inputs, hidden..., outputs]. */
  readonly sizes: readonly number[];
  readonly steps: number;
  readonly batch: number;
  readonly neuron?: Partial<Omit<ErbpNeuronSpec, 'kind'>>;
  /** Weights start at N(0, (scale/√fan-in)²). */
  readonly weightScale?: number;
  /** G_l [C, N_l] ~ U(±scale/√C), fixed; the same matrices are DFA's B_l. */
  readonly feedbackScale?: number;
  readonly feedbackSeed?: number;
  /** How `model` is differentiated: exact (BPTT), FA's random backward matrices, or DFA taps. */
  readonly backward?: 'bptt' | 'fa' | 'dfa';
  readonly scope?: string;
}

export interface ErbpNetworkConfig {
  readonly sizes: readonly number[];
  readonly steps: number;
  readonly batch: number;
  readonly neuron: ErbpNeuronSpec;
  readonly weightScale: number;
  readonly feedbackScale: number;
  readonly feedbackSeed: number;
  readonly backward: 'bptt' | 'fa' | 'dfa';
  readonly scope: string;
}

export interface ErbpNetwork {
  readonly config: ErbpNetworkConfig;
  /** The weight of each layer, input layer first. */
  readonly params: readonly string[];
  /** Inputs x [B, inputs] and labels [B] (i32); outputs `loss` and `scores` [B, C]. */
  readonly model: Graph;
}

export const ERBP_INPUTS = { x: 'x', labels: 'labels' } as const;

/** The scores' tie-break: silent outputs are ranked by their mean membrane, 1e-3 of a spike per step. */
const MEMBRANE_TIE_BREAK = 1e-3;

function checked(options: ErbpNetworkOptions): ErbpNetworkConfig {
  const { sizes } = options;
  if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) fail('spec', 'erbpNetwork.sizes', 'layer sizes are positive integers, inputs to outputs', '[inputs, ..., outputs]', JSON.stringify(sizes));
  for (const key of ['steps', 'batch'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) fail('spec', `erbpNetwork.${key}`, 'must be a positive integer', 'an integer >= 1', String(options[key]));
  }
  return {
    sizes: [...sizes],
    steps: options.steps,
    batch: options.batch,
    neuron: erbpNeuron.layer(options.neuron ?? {}),
    weightScale: options.weightScale ?? 1,
    feedbackScale: options.feedbackScale ?? 1,
    feedbackSeed: options.feedbackSeed ?? 0,
    backward: options.backward ?? 'bptt',
    scope: options.scope ?? 'erbp',
  };
}

function paramNames(config: ErbpNetworkConfig): string[] {
  return config.sizes.slice(1).map((_, l) => `${config.scope}/layer${l}/w`);
}

/** G_l [C, N_l] of hidden layer l: fixed, a pure function of the network's scope, l and seed. */
export function erbpFeedback(b: GraphBuilder, config: ErbpNetworkConfig, layer: number): Tensor {
  const classes = config.sizes[config.sizes.length - 1]!;
  const neurons = config.sizes[layer + 1]!;
  return randomFeedback(b, [classes, neurons], config.feedbackScale / Math.sqrt(classes), feedbackSeed(`${config.scope}/layer${layer}/feedback`, config.feedbackSeed));
}

/** The network's leaves in `b`: inputs at the top, one weight per layer under the scope. */
export function erbpLeaves(b: GraphBuilder, config: ErbpNetworkConfig): { x: Tensor; labels: Tensor; weights: Tensor[] } {
  const { sizes, batch } = config;
  const x = b.input(ERBP_INPUTS.x, [batch, sizes[0]!]);
  const labels = b.input(ERBP_INPUTS.labels, [batch], 'i32');
  const weights = b.scope(config.scope, () =>
    sizes.slice(1).map((n, l) => b.scope(`layer${l}`, () => b.param('w', [sizes[l]!, n], { kind: 'normal', mean: 0, std: config.weightScale / Math.sqrt(sizes[l]!) }))),
  );
  return { x, labels, weights };
}

/** ½ Σ_c (r − y)² averaged over the batch, r the output rates [B, C]. */
export function rateLoss(rates: Tensor, labels: Tensor): Tensor {
  const [batch, classes] = rates.shape as [number, number];
  const e = rates.sub(labels.oneHot(classes));
  return e.mul(e).sum().mul(0.5 / batch);
}

/** The output rates, ties among them broken by the mean membrane (an untrained, silent output layer still ranks). */
export function rateScores(rates: Tensor, meanMembrane: Tensor): Tensor {
  return rates.add(meanMembrane.mul(MEMBRANE_TIE_BREAK));
}

/** One layer over time: currents [T, B, N] → spikes and membranes [T, B, N] (the dendrite idle). */
function somaOverTime(b: GraphBuilder, config: ErbpNetworkConfig, current: Tensor): { spikes: Tensor; membrane: Tensor } {
  const shape = current.shape.slice(1);
  const start = erbpNeuron.initialState(b, shape, config.neuron);
  const idle = b.constant(0, shape);
  const { outputs } = b.scan({
    carries: [start.u, start.v],
    sequences: [current],
    consts: [idle],
    body: (bb, [u, v], [it], [zero]) => {
      const next = erbpNeuron.step(bb, { u: u!, v: v! }, twoCompartmentInput(it!, zero!), { attrs: config.neuron });
      return { carries: [next.state.u, next.state.v], outputs: [next.output, next.state.u] };
    },
  });
  return { spikes: outputs[0]!, membrane: outputs[1]! };
}

function buildModel(config: ErbpNetworkConfig): Graph {
  const { sizes, steps, batch } = config;
  const b = new GraphBuilder();
  const { x, labels, weights } = erbpLeaves(b, config);
  const classes = sizes[sizes.length - 1]!;
  const dfa = config.backward === 'dfa' ? new DirectFeedback(b, [steps, batch, classes]) : undefined;
  const last = weights.length - 1;
  let spikes: Tensor | undefined;
  let membrane: Tensor | undefined;
  b.scope(config.scope, () => {
    weights.forEach((w, l) => {
      b.scope(`layer${l}`, () => {
        const n = sizes[l + 1]!;
        const current =
          spikes === undefined
            ? x.matmul(w).reshape([1, batch, n]).broadcastTo([steps, batch, n])
            : matmulFor(b, config, spikes.reshape([steps * batch, sizes[l]!]), w, l).reshape([steps, batch, n]);
        const run = somaOverTime(b, config, current);
        spikes = dfa && l < last ? dfa.tap(run.spikes, { feedback: erbpFeedback(b, config, l) }) : run.spikes;
        membrane = run.membrane;
      });
    });
  });
  const out = dfa ? dfa.output(spikes!) : spikes!;
  const rates = out.mean(0);
  return b.finish({ loss: rateLoss(rates, labels), scores: rateScores(rates, membrane!.mean(0)) });
}

/** s @ W, its backward through a fixed random matrix under feedback alignment. */
function matmulFor(b: GraphBuilder, config: ErbpNetworkConfig, s: Tensor, w: Tensor, layer: number): Tensor {
  if (config.backward !== 'fa') return s.matmul(w);
  const [fanIn, fanOut] = w.shape as [number, number];
  return feedbackAlignmentMatmul(s, w, randomFeedback(b, [fanIn, fanOut], config.feedbackScale / Math.sqrt(fanIn), feedbackSeed(`${config.scope}/layer${layer}/fa`, config.feedbackSeed)));
}

/** Describes the network and builds its model graph; `erbp(network)` trains it online. */
export function erbpNetwork(options: ErbpNetworkOptions): ErbpNetwork {
  const config = checked(options);
  return { config, params: paramNames(config), model: buildModel(config) };
}
