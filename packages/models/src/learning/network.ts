import { fail, GraphBuilder, type Graph, type Tensor } from '@spikeflow/core';
import { offDiagonalMask } from '../layers/self-connections.js';
import { rateRegularizer } from '../losses/rate-regularizer.js';
import type { StateTensors } from '../neurons/define-neuron.js';
import type { AnyNeuron } from '../neurons/library.js';
import type { SynapseGroup } from './rule.js';

/**
 * The network online rules train: one layer of N neurons made with `defineNeuron`, driven by
 * I_t = x_t W_in + z_{t−1} W_rec (W_rec without self-connections), and a leaky readout
 * y_t = κ y_{t−1} + (1 − κ) z_t W_out, logits y_t + b (the LSNN's readout). The loss is a sum over
 * steps: ℓ_t = −Σ_b w_tb log softmax(y_tb + b)[target_tb], w = mask / Σ mask, plus an optional
 * firing-rate term. `model` is this network as an ordinary graph (BPTT, evaluation); a rule builds
 * its own online graph of the same network with the same param names.
 */
export interface OnlineNetworkOptions {
  readonly neuron: AnyNeuron;
  /** The neuron's attrs (its `layer` options). */
  readonly neuronAttrs?: Readonly<Record<string, unknown>>;
  readonly inputs: number;
  readonly hidden: number;
  readonly outputs: number;
  /** T and B: the graph's shapes are static. */
  readonly steps: number;
  readonly batch: number;
  /** κ in [0, 1): the readout's decay (0: no leak). */
  readonly readoutDecay?: number;
  /** Whether the layer has recurrent weights (default true). */
  readonly recurrent?: boolean;
  readonly readoutBias?: boolean;
  /** Weights start at N(0, (scale/√fan-in)²). */
  readonly inputScale?: number;
  readonly recurrentScale?: number;
  readonly outputScale?: number;
  /** weight · mean_n (r_n − target)², r_n the neuron's spikes per step over time and batch. */
  readonly rateRegularization?: { readonly target: number; readonly weight: number };
  readonly scope?: string;
}

export type OnlineNetworkConfig = Required<Omit<OnlineNetworkOptions, 'rateRegularization'>> & Pick<OnlineNetworkOptions, 'rateRegularization'>;

/** The inputs of the model and of every online graph of it (a task batch's fields). */
export const NETWORK_INPUTS = { x: 'x', targets: 'targets', mask: 'mask' } as const;

export interface OnlineNetwork {
  readonly config: OnlineNetworkConfig;
  /** The param name of each synapse group (`recurrent` only with recurrence), and of the readout bias. */
  readonly params: Readonly<Partial<Record<SynapseGroup | 'bias', string>>>;
  /** Inputs x, targets, mask; outputs `loss` and `scores` [B, C] (the logits averaged over the masked steps). */
  readonly model: Graph;
}

/** The network's weights as tensors of one graph; `recurrent` is the effective (masked) matrix. */
export interface NetworkWeights {
  readonly input: Tensor;
  readonly recurrent?: Tensor;
  readonly readout: Tensor;
  readonly bias?: Tensor;
}

/** What the forward scan carries: the neuron state, the last spikes and the readout. */
export interface NetworkCarry {
  readonly state: StateTensors<string>;
  readonly z: Tensor;
  readonly y: Tensor;
}

function checked(options: OnlineNetworkOptions): OnlineNetworkConfig {
  const config: OnlineNetworkConfig = {
    neuronAttrs: {},
    readoutDecay: 0,
    recurrent: true,
    readoutBias: true,
    inputScale: 1,
    recurrentScale: 1,
    outputScale: 1,
    scope: 'rsnn',
    ...options,
  };
  for (const key of ['inputs', 'hidden', 'outputs', 'steps', 'batch'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) fail('spec', `onlineNetwork.${key}`, 'must be a positive integer', 'an integer >= 1', String(config[key]));
  }
  if (!(config.readoutDecay >= 0 && config.readoutDecay < 1)) fail('spec', 'onlineNetwork.readoutDecay', 'the readout decay κ must be in [0, 1)', 'a number in [0, 1)', String(config.readoutDecay));
  config.neuron.layer(config.neuronAttrs);
  return config;
}

/** The param names, under the network's scope. */
function paramNames(config: OnlineNetworkConfig): OnlineNetwork['params'] {
  const at = (name: string) => `${config.scope}/${name}`;
  return {
    input: at('input/w'),
    ...(config.recurrent ? { recurrent: at('rec/w') } : {}),
    readout: at('out/w'),
    ...(config.readoutBias ? { bias: at('out/b') } : {}),
  };
}

/** The recurrent matrix with its diagonal held at 0. */
export function maskedRecurrent(b: GraphBuilder, w: Tensor): Tensor {
  const n = w.shape[0]!;
  return w.mul(b.constant(offDiagonalMask(n), [n, n]));
}

/** One step of the network in builder `b` (a scan body): the new carry and the input current I_t. */
export function networkStep(b: GraphBuilder, config: OnlineNetworkConfig, carry: NetworkCarry, xt: Tensor, w: NetworkWeights): NetworkCarry & { readonly current: Tensor } {
  const fromInput = xt.matmul(w.input);
  const current = w.recurrent === undefined ? fromInput : fromInput.add(carry.z.matmul(w.recurrent));
  const next = config.neuron.step(b, carry.state, current, { attrs: config.neuronAttrs });
  const drive = next.output.matmul(w.readout);
  const k = config.readoutDecay;
  const y = k === 0 ? drive : carry.y.mul(k).add(drive.mul(1 - k));
  return { state: next.state, z: next.output, y, current };
}

/** The carry at t = 0. */
export function initialCarry(b: GraphBuilder, config: OnlineNetworkConfig): NetworkCarry {
  const { batch, hidden, outputs } = config;
  return {
    state: config.neuron.initialState(b, [batch, hidden], config.neuronAttrs),
    z: b.constant(0, [batch, hidden]),
    y: b.constant(0, [batch, outputs]),
  };
}

/** −Σ_m w_m log softmax(logits_m)[target_m] over rows m: the per-step loss (rows = batch) or the whole one (rows = T·B). */
export function weightedCrossEntropy(logits: Tensor, targets: Tensor, weights: Tensor): Tensor {
  const classes = logits.shape[logits.rank - 1]!;
  const shifted = logits.sub(logits.max(-1, true).stopGradient());
  const logProbs = shifted.sub(shifted.exp().sum(-1, true).log());
  return logProbs.mul(targets.oneHot(classes)).sum(-1).mul(weights).sum().neg();
}

/** w = mask / Σ mask (1 where the mask is all zero): each scored step's weight in the loss. */
export function lossWeights(mask: Tensor): Tensor {
  return mask.div(mask.sum().maximum(1));
}

/** The logits averaged over each sample's masked steps: [T, B, C] → [B, C]. */
export function maskedScores(logits: Tensor, mask: Tensor): Tensor {
  const [steps, batch] = mask.shape as [number, number];
  const m = mask.reshape([steps, batch, 1]);
  return logits.mul(m).sum(0).div(m.sum(0).maximum(1));
}

/** The network's interface leaves, created in `b` (inputs at the top, params under the scope). */
export function networkInputs(b: GraphBuilder, config: OnlineNetworkConfig): { x: Tensor; targets: Tensor; mask: Tensor } {
  const { steps, batch, inputs } = config;
  return {
    x: b.input(NETWORK_INPUTS.x, [steps, batch, inputs]),
    targets: b.input(NETWORK_INPUTS.targets, [steps, batch], 'i32'),
    mask: b.input(NETWORK_INPUTS.mask, [steps, batch]),
  };
}

function networkParams(b: GraphBuilder, config: OnlineNetworkConfig): NetworkWeights {
  const { inputs, hidden, outputs } = config;
  const normal = (fanIn: number, scale: number) => ({ kind: 'normal' as const, mean: 0, std: scale / Math.sqrt(fanIn) });
  return b.scope(config.scope, () => {
    const input = b.scope('input', () => b.param('w', [inputs, hidden], normal(inputs, config.inputScale)));
    const recurrent = config.recurrent ? b.scope('rec', () => maskedRecurrent(b, b.param('w', [hidden, hidden], normal(hidden, config.recurrentScale)))) : undefined;
    return b.scope('out', () => {
      const readout = b.param('w', [hidden, outputs], normal(hidden, config.outputScale));
      const bias = config.readoutBias ? b.param('b', [outputs], { kind: 'zeros' }) : undefined;
      return { input, readout, ...(recurrent ? { recurrent } : {}), ...(bias ? { bias } : {}) };
    });
  });
}

function buildModel(config: OnlineNetworkConfig): Graph {
  const b = new GraphBuilder();
  const { x, targets, mask } = networkInputs(b, config);
  const w = networkParams(b, config);
  const start = initialCarry(b, config);
  const names = Object.keys(start.state);
  const consts = [w.input, w.readout, ...(w.recurrent ? [w.recurrent] : [])];
  const { outputs } = b.scope(config.scope, () =>
    b.scan({
      carries: [...names.map((n) => start.state[n]!), start.z, start.y],
      sequences: [x],
      consts,
      body: (bb, carried, [xt], [wIn, wOut, wRec]) => {
        const carry = { state: Object.fromEntries(names.map((n, k) => [n, carried[k]!])), z: carried[names.length]!, y: carried[names.length + 1]! };
        const next = networkStep(bb, config, carry, xt!, { input: wIn!, readout: wOut!, ...(wRec ? { recurrent: wRec } : {}) });
        return { carries: [...names.map((n) => next.state[n]!), next.z, next.y], outputs: [next.z, next.y] };
      },
    }),
  );
  const [spikes, readout] = outputs as [Tensor, Tensor];
  const logits = w.bias ? readout.add(w.bias) : readout;
  const { steps, batch, outputs: classes } = config;
  const rows = steps * batch;
  const ce = weightedCrossEntropy(logits.reshape([rows, classes]), targets.reshape([rows]), lossWeights(mask).reshape([rows]));
  const loss = config.rateRegularization ? ce.add(rateRegularizer(spikes, config.rateRegularization)) : ce;
  return b.finish({ loss, scores: maskedScores(logits, mask) });
}

/** Describes the network and builds its model graph; rules (e.g. `eprop`) train it. */
export function onlineNetwork(options: OnlineNetworkOptions): OnlineNetwork {
  const config = checked(options);
  return { config, params: paramNames(config), model: buildModel(config) };
}
