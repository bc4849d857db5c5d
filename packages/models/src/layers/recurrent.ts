import { z } from 'zod';
import { fail, formatShape, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { standardNeurons, type NeuronLibrary } from '../neurons/library.js';
import type { LayerDefinition, LayerSpec } from '../spec/sequential.js';
import { specIssues, validateLayerSpec } from '../spec/validate-spec.js';
import { buildLinear, linear } from './linear.js';
import { recurrentScan, type CarriedState } from './recurrent-scan.js';
import { withoutSelfConnections } from './self-connections.js';

/**
 * A recurrent layer of any `defineNeuron` neuron over x [T, B, in]:
 *   I_t = x_t·W_in (+ b) + s_{t-1}·W_rec,  (state_t, s_t) = neuron step(state_{t-1}, I_t),
 * where s is the neuron's output (its spikes). The feed-forward part runs as one matmul over all
 * steps before ONE scan, which adds the recurrent current and steps the neuron.
 */

/** A neuron's layer spec inside another spec: its kind and attrs, e.g. `{ kind: 'lif', tau: 2 }`. */
export type NeuronLayerSpec = LayerSpec & Readonly<Record<string, unknown>>;

/** The neuron spec checked by the schema of the neuron its kind names, so its errors name its fields. */
function neuronSchema(neurons: NeuronLibrary) {
  return z.looseObject({ kind: z.string() }).transform((raw, ctx): NeuronLayerSpec => {
    if (!Object.hasOwn(neurons, raw.kind)) {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: `unknown neuron kind '${raw.kind}' (known: ${Object.keys(neurons).join(', ')})` });
      return z.NEVER;
    }
    const parsed = neurons[raw.kind]!.definition.schema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of specIssues(parsed.error)) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
      return z.NEVER;
    }
    return parsed.data as NeuronLayerSpec;
  });
}

function recurrentSchema(neurons: NeuronLibrary) {
  return z.strictObject({
    kind: z.literal('recurrent'),
    in: z.number().int().positive(),
    out: z.number().int().positive(),
    /** The neuron, as its own layer spec with defaults filled in, e.g. `lif({ tau: 2 })`. */
    neuron: neuronSchema(neurons),
    bias: z.boolean().default(false),
    /** Keep W_rec's diagonal (a neuron feeding itself). Off by default, as in the LSNN. */
    selfConnections: z.boolean().default(false),
    /** Multiplies the bound 1/sqrt(in) of W_in and b. */
    initScale: z.number().positive().default(1),
    /** Multiplies the bound 1/sqrt(out) of W_rec. */
    recurrentScale: z.number().positive().default(1),
  });
}

export type RecurrentSpec = Readonly<z.output<ReturnType<typeof recurrentSchema>>>;

export type RecurrentOptions = Partial<Pick<RecurrentSpec, 'bias' | 'selfConnections' | 'initScale' | 'recurrentScale'>>;

/**
 * The spec of a recurrent layer of `out` neurons, e.g. `recurrent(3, 64, lif({ tau: 2 }))`.
 * `neurons` is where the neuron's kind is looked up: add your own defineNeuron neurons to it.
 * A bad field fails naming it, e.g. `recurrent.neuron.tau`.
 */
export function recurrent(inFeatures: number, outFeatures: number, neuron: NeuronLayerSpec, options: RecurrentOptions = {}, neurons: NeuronLibrary = standardNeurons): RecurrentSpec {
  return validateLayerSpec(recurrentSchema(neurons), { ...options, kind: 'recurrent', in: inFeatures, out: outFeatures, neuron });
}

export interface RecurrentRun {
  /** [T, B, out]: the neurons' outputs (spikes) at every step. */
  readonly output: Tensor;
  /** The neuron state after the last step, each [B, out]. */
  readonly state: CarriedState;
  /** The effective W_rec [out, out], after the self-connection mask. */
  readonly recurrentWeight: Tensor;
}

/**
 * Traces the layer in the current scope. Params: `input/w` [in, out] and `input/b` [out] with
 * U(±initScale/sqrt(in)) (PyTorch's Linear), `rec/w` [out, out] with U(±recurrentScale/sqrt(out)),
 * and the neuron's learnable params under `rec/<neuron kind>/`.
 */
export function runRecurrent(b: GraphBuilder, x: Tensor, spec: RecurrentSpec, neurons: NeuronLibrary = standardNeurons): RecurrentRun {
  // Checked again: a spec written by hand must be valid too, and must name a neuron of `neurons`.
  const s = validateLayerSpec(recurrentSchema(neurons), { ...spec });
  if (x.rank !== 3 || x.shape[2] !== s.in) fail('shape', b.path(), 'a recurrent layer takes a time-major input [T, B, in]', `[T, B, ${s.in}]`, formatShape(x.shape));
  const neuron = neurons[s.neuron.kind]!;
  const attrs = s.neuron;
  const shape = [x.shape[1]!, s.out];
  // The feed-forward current has no recurrence: one matmul over all steps, outside the scan.
  const drive = b.scope('input', () => buildLinear(b, x, linear(s.in, s.out, { bias: s.bias, initScale: s.initScale })));
  return b.scope('rec', () => {
    const k = s.recurrentScale / Math.sqrt(s.out);
    const w = b.param('w', [s.out, s.out], { kind: 'uniform', low: -k, high: k });
    const weight = s.selfConnections ? w : withoutSelfConnections(b, w);
    const params = b.scope(neuron.kind, () => neuron.createParams(b, shape, attrs));
    const learned = Object.fromEntries(Object.entries(params).filter((entry): entry is [string, Tensor] => typeof entry[1] !== 'number'));
    const run = recurrentScan(b, {
      drive,
      weight,
      initial: neuron.initialState(b, shape, attrs),
      consts: learned,
      step: (bb, state, current, inner) => neuron.step(bb, state, current, { attrs, params: { ...params, ...inner } }),
    });
    return { ...run, recurrentWeight: weight };
  });
}

export function buildRecurrent(b: GraphBuilder, x: Tensor, spec: RecurrentSpec, neurons: NeuronLibrary = standardNeurons): Tensor {
  return runRecurrent(b, x, spec, neurons).output;
}

/** The layer definition of recurrent layers whose neurons come from `neurons`, for a layer library. */
export function recurrentLayerFor(neurons: NeuronLibrary): LayerDefinition<RecurrentSpec> {
  return { schema: recurrentSchema(neurons), build: (b, x, spec) => buildRecurrent(b, x, spec, neurons) };
}

/** `recurrent` in `standardLayers`: the built-in neurons. */
export const recurrentLayer = recurrentLayerFor(standardNeurons);
