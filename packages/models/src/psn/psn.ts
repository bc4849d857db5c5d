import { z } from 'zod';
import { fail, SURROGATE_NAMES, type GraphBuilder, type SurrogateName, type Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';

/**
 * The parallel spiking neuron (Fang et al., NeurIPS 2023; SpikingJelly's `PSN`): for a time-major
 * input X viewed as [T, N], H = W X + b and S = spike(H). W [T, T] is shared by all N neurons, so
 * the whole sequence is one matmul with no recurrence.
 */

/** The surrogate fields every PSN variant shares; atan (a = 2) as in SpikingJelly. */
export const psnSurrogateFields = {
  surrogate: z.enum(SURROGATE_NAMES as [SurrogateName, ...SurrogateName[]]).default('atan'),
  alpha: z.number().positive().optional(),
};

const schema = z.strictObject({
  kind: z.literal('psn'),
  /** Time steps: W is [T, T], so the input's axis 0 must be exactly T. */
  T: z.number().int().positive(),
  ...psnSurrogateFields,
});

export type PsnSpec = Readonly<z.output<typeof schema>>;
export type PsnOptions = Partial<Omit<PsnSpec, 'kind' | 'T'>>;

export function psn(T: number, options: PsnOptions = {}): PsnSpec {
  return validateLayerSpec(schema, { ...options, kind: 'psn', T });
}

/** X [T, ...] viewed as [T, N]: every PSN variant mixes only along time, never across neurons. */
export function timeMajor(x: Tensor): Tensor {
  if (x.rank === 0) fail('shape', x.builder.path(), 'a PSN input is time-major', '[T, ...]', 'a scalar');
  return x.reshape([x.shape[0]!, -1]);
}

/** The axis-0 length the [T, T] weights of PSN and masked PSN require. */
export function expectSteps(x: Tensor, T: number): void {
  if (x.shape[0] !== T) fail('shape', x.builder.path(), 'the input has the wrong number of time steps for this layer\'s [T, T] weights', `axis 0 of length ${T}`, `[${x.shape.join(', ')}]`);
}

/** S = spike(H) with the spec's surrogate, back in the input's shape. */
export function psnSpikes(h: Tensor, x: Tensor, spec: { readonly surrogate: SurrogateName; readonly alpha?: number }): Tensor {
  return h.spike({ kind: spec.surrogate, alpha: spec.alpha }).reshape(x.shape);
}

/** H = W X + b for X [T, N], W [T, T] and b [T] (one threshold per time step, broadcast over neurons). */
export function psnCharge(w: Tensor, bias: Tensor, x2: Tensor): Tensor {
  return w.matmul(x2).add(bias.reshape([-1, 1]));
}

/** W: kaiming-uniform with a = √5 over fan-in T, i.e. U(±1/√T); b = −1. */
export function psnParams(b: GraphBuilder, T: number): { w: Tensor; bias: Tensor } {
  const bound = 1 / Math.sqrt(T);
  return {
    w: b.param('w', [T, T], { kind: 'uniform', low: -bound, high: bound }),
    bias: b.param('b', [T], { kind: 'fill', value: -1 }),
  };
}

export function buildPsn(b: GraphBuilder, x: Tensor, spec: PsnSpec): Tensor {
  expectSteps(x, spec.T);
  const { w, bias } = psnParams(b, spec.T);
  return psnSpikes(psnCharge(w, bias, timeMajor(x)), x, spec);
}

export const psnLayer: LayerDefinition<PsnSpec> = { schema, build: buildPsn };
