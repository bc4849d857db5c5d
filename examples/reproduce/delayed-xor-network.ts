/**
 * The recurrent network of the delayed-XOR comparison, one architecture for both neurons:
 *   I_t = x_t·W_in + b + o_{t−1}·W_rec (no self-connections),  o_t = the neuron's output,
 *   logits_t = o_t·W_out + b_out,  scores = the mean of logits_t over the scored (mask = 1) steps,
 *   loss = softmax cross-entropy of scores against the episode's label.
 * The gated QIF's output is its synaptic current s (its gradient is exact); LIF's are its spikes
 * (the gradient uses its surrogate).
 */
import { trace, type Graph, type Tensor } from '@spikeflow/core';
import { buildLinear, gatedQif, lif, linear, recurrent, runRecurrent, softmaxCrossEntropy, type NeuronLayerSpec } from '@spikeflow/models';

export type XorNeuron = 'gatedQif' | 'lif';

export interface XorNetworkSizes {
  readonly steps: number;
  readonly batch: number;
  readonly inputs: number;
  readonly hidden: number;
  readonly neuron: XorNeuron;
  /** Multiplies the bound 1/sqrt(fan-in) of W_in and b. */
  readonly inputScale: number;
  /** Multiplies the bound 1/sqrt(hidden) of W_rec. */
  readonly recurrentScale: number;
}

/**
 * The neurons' settings. Gated QIF: τ_v = 5, τ_s = 10 steps, gate width 0.2;
 * LIF: τ = 20 steps, input not divided by τ, threshold 1, hard reset to 0, atan surrogate (the library's defaults otherwise).
 */
export const NEURONS: Readonly<Record<XorNeuron, NeuronLayerSpec>> = {
  gatedQif: gatedQif({ tauV: 5, tauS: 10, gateWidth: 0.2 }),
  lif: lif({ tau: 20, decayInput: false }),
};

/** Inputs x [T, B, F], mask [T, B], labels [B] (i32); outputs loss and scores [B, 2]. */
export function delayedXorNetwork(sizes: XorNetworkSizes): Graph {
  const { steps, batch, inputs, hidden } = sizes;
  return trace((b) => {
    const x = b.input('x', [steps, batch, inputs]);
    const mask = b.input('mask', [steps, batch]);
    const labels = b.input('labels', [batch], 'i32');
    const spec = recurrent(inputs, hidden, NEURONS[sizes.neuron], { bias: true, initScale: sizes.inputScale, recurrentScale: sizes.recurrentScale });
    const out = b.scope('hidden', () => runRecurrent(b, x, spec).output);
    const logits = b.scope('readout', () => buildLinear(b, out, linear(hidden, 2)));
    const scores = maskedMean(logits, mask);
    return { loss: softmaxCrossEntropy(scores, labels), scores };
  });
}

/** Σ_t mask_t·y_t / Σ_t mask_t for y [T, B, C], mask [T, B]: the mean over each episode's scored steps. */
function maskedMean(y: Tensor, mask: Tensor): Tensor {
  const [steps, batch] = mask.shape as [number, number];
  const weights = mask.reshape([steps, batch, 1]);
  return y.mul(weights).sum(0).div(weights.sum(0));
}
