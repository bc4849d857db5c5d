import { trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { buildLif, buildMaskedPsn, buildPsn, buildSlidingPsn, maskedPsn, maskedPsnLambdaInput, psn, slidingPsn } from '@spikeflow/models';
import { WORKLOAD_LIF } from './lif-mlp.js';

/**
 * Spiking layers over X [T, N] with loss = sum(S * G) (G fixed), as in W2 and the PSN-vs-LIF
 * table. X and G are params, not inputs: they stay on the device, so a timed call is compute only
 * (no upload), and X can still be differentiated.
 */
export interface SpikingLayer {
  readonly name: string;
  /** Scope of the layer's own params. */
  readonly scope: string;
  build(b: GraphBuilder, x: Tensor, T: number): Tensor;
  /** Its params by local name (`w`, `b`), which the gradient covers besides X. */
  readonly params: readonly string[];
  /** Per-call scalar inputs the layer needs. */
  readonly feeds: Readonly<Record<string, number>>;
}

/** Order of the masked and sliding PSN in the table (the PSN paper evaluates small orders). */
export const PSN_ORDER = 4;

export const PSN_LAYER: SpikingLayer = { name: 'PSN', scope: 'psn', build: (b, x, T) => buildPsn(b, x, psn(T)), params: ['w', 'b'], feeds: {} };

/** Masked PSN in its parallel (training) form, at λ = 1: the fully masked W. */
export const MASKED_PSN_LAYER: SpikingLayer = {
  name: `masked PSN (k = ${PSN_ORDER})`,
  scope: 'masked',
  build: (b, x, T) => buildMaskedPsn(b, x, maskedPsn(T, PSN_ORDER)),
  params: ['w', 'b'],
  feeds: { [maskedPsnLambdaInput('masked')]: 1 },
};

export const SLIDING_PSN_LAYER: SpikingLayer = {
  name: `sliding PSN (k = ${PSN_ORDER})`,
  scope: 'sliding',
  build: (b, x) => buildSlidingPsn(b, x, slidingPsn(PSN_ORDER)),
  params: ['w', 'b'],
  feeds: {},
};

export const LIF_LAYER: SpikingLayer = { name: 'multi-step LIF', scope: 'lif', build: (b, x) => buildLif(b, x, WORKLOAD_LIF), params: [], feeds: {} };

export const SPIKING_LAYERS: readonly SpikingLayer[] = [PSN_LAYER, MASKED_PSN_LAYER, SLIDING_PSN_LAYER, LIF_LAYER];

/** The names a gradient of the layer's graph is taken with respect to: its params, then X. */
export function layerWrt(layer: SpikingLayer): string[] {
  return [...layer.params.map((p) => `${layer.scope}/${p}`), 'X'];
}

/** X ~ U(-1, 1) and G ~ U(-1, 1) as params; outputs `loss` = sum(S * G). */
export function spikingLayerModel(layer: SpikingLayer, T: number, N: number): Graph {
  return trace((b) => {
    const x = b.param('X', [T, N], { kind: 'uniform', low: -1, high: 1 });
    const s = b.scope(layer.scope, () => layer.build(b, x, T));
    const g = b.param('G', [T, N], { kind: 'uniform', low: -1, high: 1 });
    return { loss: s.mul(g).sum() };
  });
}

