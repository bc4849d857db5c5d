import { fail, trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import {
  buildDropout,
  buildLif,
  buildLinear,
  buildMaskedPsn,
  buildPsn,
  buildSlidingPsn,
  dropout,
  lif,
  linear,
  maskedPsn,
  maskedPsnLambdaInput,
  psn,
  slidingPsn,
  softmaxCrossEntropy,
  timeReadout,
  type CrossEntropyOptions,
} from '@spikeflow/models';
import { buildLayerNorm } from './layer-norm.js';

/** The four spiking neurons compared on row-wise sequential MNIST, all in the same network. */
export const SMNIST_NEURONS = ['psn', 'maskedPsn', 'slidingPsn', 'lif'] as const;
export type SmnistNeuron = (typeof SMNIST_NEURONS)[number];

export const SMNIST_NEURON_NAMES: Readonly<Record<SmnistNeuron, string>> = {
  psn: 'PSN',
  maskedPsn: 'masked PSN',
  slidingPsn: 'sliding PSN',
  lif: 'LIF (multi-step)',
};

export interface SmnistArchitecture {
  /** T: one step per image row. */
  readonly steps: number;
  /** Pixels per row. */
  readonly inputSize: number;
  readonly classes: number;
  /** Width of both spiking layers. */
  readonly hidden: number;
  /** Order of the masked and sliding PSN. */
  readonly order: number;
  /** LIF membrane time constant, in steps. */
  readonly lifTau: number;
  /**
   * Layer norm over each step's features ('step', causal: usable step by step) or over a sample's
   * whole [T, features] sequence ('sequence': keeps how strongly each row drives the layer relative
   * to the other rows, which the per-step norm scales away — a faint row becomes as loud as a full
   * stroke — but needs the whole sequence first, like the PSN itself).
   */
  readonly norm?: 'step' | 'sequence';
  /**
   * Dropout probability on each spiking layer's output spikes (0 or absent: none). One mask per
   * digit, shared by all T rows (SpikingJelly's multi-step dropout), so a dropped neuron is silent
   * for the whole digit rather than flickering row to row.
   */
  readonly dropout?: number;
}

export interface SmnistModel {
  /** Inputs `x` [T, B, F] and `labels` [B]; outputs `loss` and `scores` [B, C]. */
  readonly graph: Graph;
  /** The λ inputs of masked PSN layers (empty for the other neurons), fed from the λ schedule. */
  readonly lambdaInputs: readonly string[];
}

function neuronLayer(b: GraphBuilder, x: Tensor, neuron: SmnistNeuron, arch: SmnistArchitecture, lambdaInputs: string[]): Tensor {
  switch (neuron) {
    case 'psn':
      return buildPsn(b, x, psn(arch.steps));
    case 'maskedPsn':
      lambdaInputs.push(maskedPsnLambdaInput(b.path()));
      return buildMaskedPsn(b, x, maskedPsn(arch.steps, arch.order));
    case 'slidingPsn':
      return buildSlidingPsn(b, x, slidingPsn(arch.order));
    case 'lif':
      return buildLif(b, x, lif({ tau: arch.lifTau, detachReset: true }));
    default:
      return fail('spec', 'neuron', 'unknown sMNIST neuron', SMNIST_NEURONS.join(', '), String(neuron));
  }
}

/** Any p other than absent or 0 goes through `dropout`'s validation, so a p outside [0, 1) is an error, not silently none. */
function spikeDropout(b: GraphBuilder, spikes: Tensor, arch: SmnistArchitecture): Tensor {
  return arch.dropout === undefined || arch.dropout === 0 ? spikes : buildDropout(b, spikes, dropout(arch.dropout));
}

/**
 * rows [T, B, 28] -> (linear -> layer norm -> spiking layer -> optional dropout) x 2 -> linear readout, averaged over
 * time into class scores, scored by cross-entropy (with `lossOptions`). The layer norm stands in for the batch norm of the PSN paper's
 * networks (arch.norm picks its axes): it scales the charge to the threshold (without it the PSN's bias of −1 keeps the
 * untrained network silent) and needs no running statistics. Only the spiking layers differ between neurons, so the
 * comparison isolates the neuron; the time-averaged readout lets the windowed neurons (masked and
 * sliding PSN, which see only their last k inputs) pool evidence over the whole image.
 */
export function smnistModel(neuron: SmnistNeuron, arch: SmnistArchitecture, batch: number, lossOptions: CrossEntropyOptions = {}): SmnistModel {
  if (!SMNIST_NEURONS.includes(neuron)) fail('spec', 'neuron', 'unknown sMNIST neuron', SMNIST_NEURONS.join(', '), String(neuron));
  const lambdaInputs: string[] = [];
  const graph = trace((b) => {
    const x = b.input('x', [arch.steps, batch, arch.inputSize]);
    const labels = b.input('labels', [batch], 'i32');
    let h = b.scope('linear1', () => buildLinear(b, x, linear(arch.inputSize, arch.hidden)));
    const normAxes = arch.norm === 'sequence' ? [0, 2] : [-1];
    h = b.scope('norm1', () => buildLayerNorm(b, h, normAxes));
    h = b.scope('neuron1', () => neuronLayer(b, h, neuron, arch, lambdaInputs));
    h = b.scope('dropout1', () => spikeDropout(b, h, arch));
    h = b.scope('linear2', () => buildLinear(b, h, linear(arch.hidden, arch.hidden)));
    h = b.scope('norm2', () => buildLayerNorm(b, h, normAxes));
    h = b.scope('neuron2', () => neuronLayer(b, h, neuron, arch, lambdaInputs));
    h = b.scope('dropout2', () => spikeDropout(b, h, arch));
    const out = b.scope('readout', () => buildLinear(b, h, linear(arch.hidden, arch.classes, { bias: true })));
    const scores = timeReadout(out, 'mean');
    return { loss: softmaxCrossEntropy(scores, labels, lossOptions), scores };
  });
  return { graph, lambdaInputs };
}
