import { z } from 'zod';
import { fail, formatType, type GraphBuilder, type Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';
import { plasticitySchema, type PlasticitySpec } from './spec.js';
import { initialPlasticState, learnStep, plasticCarries, plasticDrive, plasticSynapse, readPlasticCarries, ruleSignal } from './synapse.js';
import { initialUnitCarries, plasticUnitSchema, TANH_UNIT, unitStep, type PlasticUnit } from './unit.js';

/**
 * A feed-forward plastic layer over a time-major sequence x [T, B, in]:
 * y_t = unit(x_t·(W + α ⊙ Hebb_t) + b), then Hebb_{t+1} from (x_t, y_t) by the spec's rule.
 */
const schema = z.strictObject({
  kind: z.literal('plasticLinear'),
  in: z.number().int().positive(),
  out: z.number().int().positive(),
  bias: z.boolean().default(false),
  /** Multiplies W's init bound 1/sqrt(in), e.g. to make sparse spikes drive LIF units. */
  initScale: z.number().positive().default(1),
  unit: plasticUnitSchema.default(TANH_UNIT),
  plasticity: plasticitySchema.prefault({}),
});

export type PlasticLinearSpec = Readonly<z.output<typeof schema>>;

export type PlasticLinearOptions = Partial<Omit<PlasticLinearSpec, 'kind' | 'in' | 'out' | 'plasticity'>> & { readonly plasticity?: Partial<PlasticitySpec> };

export function plasticLinear(inFeatures: number, outFeatures: number, options: PlasticLinearOptions = {}): PlasticLinearSpec {
  return validateLayerSpec(schema, { ...options, kind: 'plasticLinear', in: inFeatures, out: outFeatures, plasticity: options.plasticity ?? {} });
}

/** What a plastic layer computed over one episode. */
export interface PlasticRun {
  /** The units' outputs (rates or spikes), [T, B, out]. */
  readonly outputs: Tensor;
  /** Hebb at the end of the episode, [B, in, out]. */
  readonly hebb: Tensor;
  /** M(t), [T, B], when the spec is neuromodulated. */
  readonly modulation?: Tensor;
  /** The LIF units' membranes [T, B, out], when recorded. */
  readonly membrane?: Tensor;
}

/** Rejects an input that is not [T, B, features], naming the layer. */
export function expectPlasticInput(b: GraphBuilder, x: Tensor, features: number): number {
  if (x.rank !== 3 || x.shape[2] !== features) fail('shape', b.path(), 'a plastic layer takes a time-major input [T, B, features]', `[T, B, ${features}]`, formatType(x.tensorType));
  return x.shape[1]!;
}

export function runPlasticLinear(b: GraphBuilder, x: Tensor, spec: PlasticLinearSpec): PlasticRun {
  const batch = expectPlasticInput(b, x, spec.in);
  const rule = spec.plasticity;
  const syn = plasticSynapse(b, spec.in, spec.out, rule, spec.initScale);
  const k = spec.initScale / Math.sqrt(spec.in);
  const bias = spec.bias ? b.param('b', [spec.out], { kind: 'uniform', low: -k, high: k }) : undefined;
  const unit0 = initialUnitCarries(b, spec.unit, [batch, spec.out]);
  const traces0 = rule.traceDecay === null ? [] : [b.constant(0, [batch, spec.in]), b.constant(0, [batch, spec.out])];
  const [nu, nt] = [unit0.length, traces0.length];
  const { carries, outputs } = b.scan({
    carries: [...unit0, ...traces0, ...plasticCarries(initialPlasticState(b, batch, syn))],
    sequences: [x],
    body: (_, c, [xt]) => {
      const state = readPlasticCarries(rule, c.slice(nu + nt));
      const drive = plasticDrive(syn, state.hebb, xt!);
      const unit = unitStep(spec.unit, c.slice(0, nu), bias ? drive.add(bias) : drive);
      const pre = ruleSignal(rule, c[nu], xt!);
      const post = ruleSignal(rule, c[nu + 1], unit.y);
      const learned = learnStep(syn, state, pre, post, unit.y);
      return {
        carries: [...unit.carries, ...(nt > 0 ? [pre, post] : []), ...plasticCarries(learned.state)],
        outputs: [unit.y, ...(learned.modulation ? [learned.modulation] : [])],
      };
    },
  });
  return { outputs: outputs[0]!, hebb: carries[nu + nt]!, modulation: outputs[1] };
}

export function buildPlasticLinear(b: GraphBuilder, x: Tensor, spec: PlasticLinearSpec): Tensor {
  return runPlasticLinear(b, x, spec).outputs;
}

export const plasticLinearLayer: LayerDefinition<PlasticLinearSpec> = { schema, build: buildPlasticLinear };
