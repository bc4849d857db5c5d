import { z } from 'zod';
import type { GraphBuilder, Tensor } from '@spikeflow/core';
import { expectPlasticInput, type PlasticRun } from './plastic-linear.js';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';
import { plasticitySchema, type PlasticitySpec } from './spec.js';
import { initialPlasticState, learnStep, plasticCarries, plasticDrive, plasticSynapse, readPlasticCarries, ruleSignal } from './synapse.js';
import { initialUnitCarries, plasticUnitSchema, TANH_UNIT, unitStep, type PlasticUnit } from './unit.js';

/**
 * A recurrent layer with plastic recurrent synapses (Miconi et al. 2018) over x [T, B, in]:
 * h_t = unit(x_t·W_in + h_{t−1}·(W + α ⊙ Hebb_t) + b), then Hebb_{t+1} from (h_{t−1}, h_t).
 */
const schema = z.strictObject({
  kind: z.literal('plasticRecurrent'),
  in: z.number().int().positive(),
  hidden: z.number().int().positive(),
  bias: z.boolean().default(false),
  /** Multiplies the init bounds 1/sqrt(in) of W_in and 1/sqrt(hidden) of W. */
  initScale: z.number().positive().default(1),
  unit: plasticUnitSchema.default(TANH_UNIT),
  plasticity: plasticitySchema.prefault({}),
});

export type PlasticRecurrentSpec = Readonly<z.output<typeof schema>>;

export type PlasticRecurrentOptions = Partial<Omit<PlasticRecurrentSpec, 'kind' | 'in' | 'hidden' | 'plasticity'>> & { readonly plasticity?: Partial<PlasticitySpec> };

export function plasticRecurrent(inFeatures: number, hidden: number, options: PlasticRecurrentOptions = {}): PlasticRecurrentSpec {
  return validateLayerSpec(schema, { ...options, kind: 'plasticRecurrent', in: inFeatures, hidden, plasticity: options.plasticity ?? {} });
}

export interface PlasticRecurrentRunOptions {
  /** Also return the LIF units' membranes (an extra [T, B, hidden] output, so only when asked). */
  readonly record?: boolean;
  /**
   * Where the episode starts: maps the fresh-episode carries (membrane, h, its trace, Hebb, ...) to
   * the carries to start from, e.g. state kept between calls that step an environment one step at
   * a time. Absent: every call is a fresh episode.
   */
  readonly initial?: (fresh: readonly Tensor[]) => Tensor[];
}

export function runPlasticRecurrent(b: GraphBuilder, x: Tensor, spec: PlasticRecurrentSpec, options: PlasticRecurrentRunOptions = {}): PlasticRun & { readonly carries: readonly Tensor[] } {
  const batch = expectPlasticInput(b, x, spec.in);
  const rule = spec.plasticity;
  const n = spec.hidden;
  const k = spec.initScale / Math.sqrt(spec.in);
  // The input projection has no recurrence: one matmul over the whole sequence, outside the scan.
  let input = x.matmul(b.param('w_in', [spec.in, n], { kind: 'uniform', low: -k, high: k }));
  if (spec.bias) input = input.add(b.param('b', [n], { kind: 'uniform', low: -k, high: k }));
  const syn = plasticSynapse(b, n, n, rule, spec.initScale);
  const unit0 = initialUnitCarries(b, spec.unit, [batch, n]);
  const zero = b.constant(0, [batch, n]);
  const traced = rule.traceDecay !== null;
  const nu = unit0.length;
  const np = nu + (traced ? 2 : 1); // where the plastic state starts, after h and its trace
  const record = options.record === true && spec.unit.kind === 'lif';
  const fresh = [...unit0, zero, ...(traced ? [zero] : []), ...plasticCarries(initialPlasticState(b, batch, syn))];
  const { carries, outputs } = b.scan({
    carries: options.initial ? options.initial(fresh) : fresh,
    sequences: [input],
    body: (_, c, [it]) => {
      const state = readPlasticCarries(rule, c.slice(np));
      const previous = c[nu]!;
      const unit = unitStep(spec.unit, c.slice(0, nu), it!.add(plasticDrive(syn, state.hebb, previous)));
      // Pre- and postsynaptic populations are the same, so the trace of h serves both sides.
      const pre = traced ? c[nu + 1]! : previous;
      const post = ruleSignal(rule, c[nu + 1], unit.y);
      const learned = learnStep(syn, state, pre, post, unit.y);
      return {
        carries: [...unit.carries, unit.y, ...(traced ? [post] : []), ...plasticCarries(learned.state)],
        outputs: [unit.y, ...(learned.modulation ? [learned.modulation] : []), ...(record ? unit.carries : [])],
      };
    },
  });
  const [y, ...rest] = outputs;
  return { outputs: y!, hebb: carries[np]!, modulation: rest.length > (record ? 1 : 0) ? rest[0] : undefined, membrane: record ? rest.at(-1) : undefined, carries };
}

export function buildPlasticRecurrent(b: GraphBuilder, x: Tensor, spec: PlasticRecurrentSpec): Tensor {
  return runPlasticRecurrent(b, x, spec).outputs;
}

export const plasticRecurrentLayer: LayerDefinition<PlasticRecurrentSpec> = { schema, build: buildPlasticRecurrent };
