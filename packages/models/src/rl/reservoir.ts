import { fail } from '@spikeflow/core';
import { TaskRng } from '../tasks/task-rng.js';

/** A connection rule from population `pre` to population `post`: probability and weight magnitude. */
export interface ConnectionRule {
  readonly p: number;
  readonly w: number;
}

export interface ReservoirOptions {
  /** Input channels (e.g. the observation's spike channels). */
  readonly inputs: number;
  /** Reservoir neurons. */
  readonly neurons: number;
  /** Fraction of excitatory neurons (default 0.8: the 4:1 ratio of cortex and of LSMs since Maass et al. 2002). */
  readonly excitatoryFraction?: number;
  /** Input → every reservoir neuron (excitatory synapses). */
  readonly input: ConnectionRule;
  /** Recurrent rules by pre → post type: ee, ei (E → I), ie (I → E), ii. Inhibitory weights are made negative. */
  readonly ee: ConnectionRule;
  readonly ei: ConnectionRule;
  readonly ie: ConnectionRule;
  readonly ii: ConnectionRule;
}

export interface ReservoirWeights {
  /** [inputs, neurons], row-major (x·W). */
  readonly input: Float32Array;
  /** [neurons, neurons], row-major: entry (pre, post); no self-connections. */
  readonly recurrent: Float32Array;
  /** 1 for an excitatory neuron; the first round(fraction·N) neurons are excitatory. */
  readonly excitatory: Uint8Array;
  readonly connections: { readonly input: number; readonly recurrent: number };
}

/**
 * The fixed random connectivity of a liquid state machine: each possible synapse exists
 * independently with its rule's probability and then has the rule's weight magnitude times a
 * uniform factor in [0.5, 1.5) (so weights are heterogeneous but keep their sign); synapses from
 * inhibitory neurons are negative. Seeded: one seed gives the same reservoir to the bit.
 */
export function reservoirWeights(options: ReservoirOptions, seed: number): ReservoirWeights {
  const { inputs, neurons, excitatoryFraction = 0.8 } = options;
  if (!Number.isSafeInteger(inputs) || inputs < 1) fail('attr', 'reservoir.inputs', 'must be a positive integer', '>= 1', String(inputs));
  if (!Number.isSafeInteger(neurons) || neurons < 2) fail('attr', 'reservoir.neurons', 'must be an integer >= 2', '>= 2', String(neurons));
  if (!(excitatoryFraction > 0 && excitatoryFraction < 1)) fail('attr', 'reservoir.excitatoryFraction', 'must lie in (0, 1)', '(0, 1)', String(excitatoryFraction));
  for (const key of ['input', 'ee', 'ei', 'ie', 'ii'] as const) {
    const rule: ConnectionRule | undefined = Object.hasOwn(options, key) ? options[key] : undefined;
    if (rule === undefined || typeof rule !== 'object') fail('attr', `reservoir.${key}`, 'a connection rule { p, w } is required', '{ p, w }', String(rule));
    const { p, w } = rule;
    if (!(p >= 0 && p <= 1) || !(w >= 0 && Number.isFinite(w))) fail('attr', `reservoir.${key}`, 'needs p in [0, 1] and a finite w >= 0', 'p in [0, 1], w >= 0', `p ${p}, w ${w}`);
  }
  const rng = new TaskRng(seed, 2);
  const excitatoryCount = Math.round(excitatoryFraction * neurons);
  const excitatory = new Uint8Array(neurons).map((_, i) => (i < excitatoryCount ? 1 : 0));
  const draw = (rule: ConnectionRule): number => (rng.uniform() < rule.p ? rule.w * (0.5 + rng.uniform()) : 0);
  let inputCount = 0;
  let recurrentCount = 0;
  const input = new Float32Array(inputs * neurons);
  for (let i = 0; i < input.length; i++) {
    input[i] = draw(options.input);
    if (input[i] !== 0) inputCount++;
  }
  const recurrent = new Float32Array(neurons * neurons);
  for (let pre = 0; pre < neurons; pre++) {
    for (let post = 0; post < neurons; post++) {
      if (pre === post) continue;
      const rule = excitatory[pre] ? (excitatory[post] ? options.ee : options.ei) : excitatory[post] ? options.ie : options.ii;
      const w = draw(rule);
      recurrent[pre * neurons + post] = excitatory[pre] ? w : -w;
      if (w !== 0) recurrentCount++;
    }
  }
  return { input, recurrent, excitatory, connections: { input: inputCount, recurrent: recurrentCount } };
}
