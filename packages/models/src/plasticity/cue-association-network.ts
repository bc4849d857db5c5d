import { fail, trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { lif } from '../layers/lif.js';
import { buildLinear, linear } from '../layers/linear.js';
import { softmaxCrossEntropy } from '../losses/cross-entropy.js';
import type { TaskInfo } from '../tasks/task.js';
import { plasticLinear, runPlasticLinear, type PlasticRun } from './plastic-linear.js';
import { plasticRecurrent, runPlasticRecurrent } from './plastic-recurrent.js';
import type { PlasticitySpec } from './spec.js';
import type { PlasticUnit } from './unit.js';

/**
 * The network of the in-episode cue association experiments (Miconi et al. 2018): the episode's
 * spikes x [T, B, F] drive a layer of units with plastic synapses ('rec'), and a linear readout
 * ('readout') of its outputs averaged over the last `readoutSteps` steps (the query) gives the
 * class scores. Cue and target are shown together, so the synapses from the cue onto the units
 * the target drives are potentiated; the query cue then drives those units through α ⊙ Hebb.
 */
export interface CueAssociationNetworkOptions {
  readonly hidden: number;
  /**
   * Where the plastic synapses sit: 'recurrent', between the hidden units (h_{t−1} → h_t, as
   * Miconi et al.; the default), or 'input', from the input channels to the hidden units (x_t → h_t).
   */
  readonly plasticSynapses?: 'recurrent' | 'input';
  readonly unit: PlasticUnit;
  readonly plasticity: Partial<PlasticitySpec>;
  /** Scales the recurrent layer's init bounds (spiking units need a drive above threshold). */
  readonly initScale: number;
  /** The readout averages the layer's outputs over this many final steps. */
  readonly readoutSteps: number;
  /** Also output the layer's outputs `hidden` [T, B, hidden] and, for LIF units, their membranes `membrane` (e.g. to plot them); membranes only from the recurrent layer. */
  readonly record?: boolean;
}

/** The graph: inputs `x` [T, B, F] and `labels` [B] (i32); outputs `loss` (cross-entropy) and `logits` [B, classes]. */
export function cueAssociationNetwork(info: TaskInfo, batch: number, options: CueAssociationNetworkOptions): Graph {
  const { steps: T, inputSize: F, outputSize: K } = info;
  if (info.target !== 'class') fail('spec', 'info.target', 'the cue association network scores one class per episode', 'class', info.target);
  if (!Number.isInteger(options.readoutSteps) || options.readoutSteps < 1 || options.readoutSteps > T) {
    fail('spec', 'readoutSteps', 'the readout averages a window at the end of the episode', `an integer in [1, ${T}]`, String(options.readoutSteps));
  }
  const layer = { bias: true, unit: options.unit, initScale: options.initScale, plasticity: options.plasticity };
  const runLayer = (b: GraphBuilder, x: Tensor): PlasticRun =>
    options.plasticSynapses === 'input'
      ? runPlasticLinear(b, x, plasticLinear(F, options.hidden, layer))
      : runPlasticRecurrent(b, x, plasticRecurrent(F, options.hidden, layer), { record: options.record });
  return trace((b) => {
    const x = b.input('x', [T, batch, F]);
    const labels = b.input('labels', [batch], 'i32');
    const run = b.scope('rec', () => runLayer(b, x));
    const h = run.outputs;
    const query = h.slice([T - options.readoutSteps]).mean(0);
    const logits = b.scope('readout', () => buildLinear(b, query, linear(options.hidden, K, { bias: true })));
    const recorded = options.record ? { hidden: h, ...(run.membrane ? { membrane: run.membrane } : {}) } : {};
    return { loss: softmaxCrossEntropy(logits, labels), logits, ...recorded };
  });
}

/** The params that act only through plasticity (α, η, the neuromodulator): frozen, with α = 0, they leave the same network without plasticity. */
export function isPlasticityParam(name: string): boolean {
  return /(^|\/)(alpha|eta)$|(^|\/)modulator\//.test(name);
}

/**
 * The plastic SNN of the cue association experiment: LIF units (τ = 2, threshold 1, hard reset
 * without gradient) whose input synapses are plastic. W's init is 4x wider, so that the few
 * active channels of a cue cross threshold; α starts at ±0.1 and η at 0.3 (not Miconi's 0.01),
 * so that the plastic pathway carries gradient from the first step. `plasticity` overrides the rule.
 */
export function plasticSnnOptions(hidden: number, readoutSteps: number, plasticity: Partial<PlasticitySpec>): CueAssociationNetworkOptions {
  return {
    hidden,
    plasticSynapses: 'input',
    unit: lif({ tau: 2, detachReset: true }),
    plasticity: { alphaInit: 0.1, etaInit: 0.3, ...plasticity },
    initScale: 4,
    readoutSteps,
  };
}
