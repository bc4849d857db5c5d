import { grad, gradName } from '@spikeflow/autodiff';
import { evaluate, initParams, type HostTensor } from '@spikeflow/core';
import { eprop, onlineNetwork, type EpropOptions, type OnlineNetwork, type OnlineNetworkOptions } from '../learning/index.js';
import { alifNeuron, lifNeuron } from '../neurons/index.js';

/**
 * e-prop's update against the BPTT gradient of the same network, params and inputs, on the CPU
 * interpreter in f64. With recurrent weights zero, a neuron's spikes depend on a weight only
 * through its own state, so e-prop's eligibility is the exact derivative and its update equals the
 * gradient (same surrogate, the reset detached in both); with recurrence only the direction
 * agrees. Used by the exactness test and by the reproduce harness.
 */

/** A small network: T = 14 steps, batch 2, 3 inputs, 4 neurons, 2 classes. */
export const COMPARISON_SIZES = { inputs: 3, hidden: 4, outputs: 2, steps: 14, batch: 2 } as const;

/** The neurons compared, with the reset detached (as e-prop derives its Jacobian). */
export const COMPARISON_NEURONS = {
  LIF: { neuron: lifNeuron, neuronAttrs: { tau: 4, vReset: null, vThreshold: 0.6, detachReset: true } },
  // A hard reset makes ∂v_t/∂v_{t−1} differ per neuron: the full-trace path instead of presynaptic traces.
  'LIF hard reset': { neuron: lifNeuron, neuronAttrs: { tau: 4, vReset: 0, vThreshold: 0.6, detachReset: true } },
  ALIF: { neuron: alifNeuron, neuronAttrs: { tauM: 10, tauA: 30, beta: 0.8, b0: 0.3, nRef: 1, detachReset: true } },
} as const satisfies Record<string, Pick<OnlineNetworkOptions, 'neuron' | 'neuronAttrs'>>;

/** Inputs: Bernoulli(0.4) spikes from a small LCG, class 1 for even batch rows, the last half of the steps scored. */
export function comparisonFeeds(sizes: { steps: number; batch: number; inputs: number }, seed: number): Record<string, number[]> {
  const { steps: T, batch: B, inputs } = sizes;
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const x = Array.from({ length: T * B * inputs }, () => Number(rand() < 0.4));
  const targets = Array.from({ length: T * B }, (_, k) => (k % B === 0 ? 1 : 0));
  const mask = Array.from({ length: T * B }, (_, k) => Number(Math.floor(k / B) >= T / 2));
  return { x, targets, mask };
}

export interface BpttComparison {
  readonly net: OnlineNetwork;
  /** The trained params' names. */
  readonly wrt: readonly string[];
  /** The model's outputs with `grad/<param>` from BPTT, and the same names from e-prop. */
  readonly bptt: Record<string, HostTensor>;
  readonly online: Record<string, HostTensor>;
  /** The e-prop update and the BPTT gradient of one param. */
  pair(param: string): { online: ArrayLike<number>; bptt: ArrayLike<number> };
}

export interface ComparisonOptions {
  /** Hold the recurrent weights at zero (where e-prop is exact). */
  readonly zeroRecurrent: boolean;
  readonly paramSeed?: number;
  readonly inputSeed?: number;
  readonly eprop?: EpropOptions;
}

/** One network (COMPARISON_SIZES unless given), its e-prop update and its BPTT gradient. */
export function compareWithBptt(options: Omit<OnlineNetworkOptions, keyof typeof COMPARISON_SIZES> & Partial<Pick<OnlineNetworkOptions, keyof typeof COMPARISON_SIZES>>, how: ComparisonOptions): BpttComparison {
  const net = onlineNetwork({ ...COMPARISON_SIZES, inputScale: 3, recurrentScale: 2, ...options });
  const wrt = Object.values(net.params);
  const params = initParams(net.model, { seed: how.paramSeed ?? 5, precision: 'f64' });
  const rec = net.params.recurrent;
  if (how.zeroRecurrent && rec !== undefined) params[rec] = { ...params[rec]!, data: new Float64Array(net.config.hidden ** 2) };
  const inputs = comparisonFeeds(net.config, how.inputSeed ?? 7);
  const bptt = evaluate(grad(net.model, { of: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
  const online = evaluate(eprop(net, how.eprop).updateGraph(net.model, { loss: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
  const pair = (param: string) => ({ online: online[gradName(param)]!.data as ArrayLike<number>, bptt: bptt[gradName(param)]!.data as ArrayLike<number> });
  return { net, wrt, bptt, online, pair };
}

/** max_k |a_k − b_k| / max_k |b_k|: the error relative to the reference's scale. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < b.length; k++) {
    num = Math.max(num, Math.abs(a[k]! - b[k]!));
    den = Math.max(den, Math.abs(b[k]!));
  }
  return num / den;
}

/** The cosine of the angle between a and b, flattened. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < a.length; k++) {
    ab += a[k]! * b[k]!;
    aa += a[k]! ** 2;
    bb += b[k]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}
