import { z } from 'zod';
import type { GraphBuilder, Shape, Tensor } from '@spikeflow/core';
import { lifLayer, lifStep, type LifSpec } from '../layers/lif.js';

/** The postsynaptic units of a plastic layer: rate (tanh, as in Miconi et al.) or spiking (LIF). */
export type PlasticUnit = { readonly kind: 'tanh' } | LifSpec;

export const plasticUnitSchema: z.ZodType<PlasticUnit> = z.union([z.strictObject({ kind: z.literal('tanh') }), lifLayer.schema]);

export const TANH_UNIT: PlasticUnit = { kind: 'tanh' };

/** The unit's own carries at the start of an episode: none for tanh, the membrane for LIF. */
export function initialUnitCarries(b: GraphBuilder, unit: PlasticUnit, shape: Shape): Tensor[] {
  return unit.kind === 'tanh' ? [] : [b.constant(unit.vReset ?? 0, shape)];
}

/** One step from the synaptic drive `a`: the unit's next carries and its output (rate or spikes). */
export function unitStep(unit: PlasticUnit, carries: readonly Tensor[], a: Tensor): { carries: Tensor[]; y: Tensor } {
  if (unit.kind === 'tanh') return { carries: [], y: a.tanh() };
  const { v, s } = lifStep(carries[0]!, a, unit);
  return { carries: [v], y: s };
}
