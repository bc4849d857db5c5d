import type { Neuron } from './define-neuron.js';
import { alifNeuron } from './alif.js';
import { gatedQifNeuron } from './gated-qif.js';
import { ifNeuron } from './if.js';
import { leakyIntegratorNeuron } from './leaky-integrator.js';
import { lifNeuron } from './lif.js';
import { plifNeuron } from './plif.js';

/**
 * Any neuron made by `defineNeuron`, seen from code that only knows its kind at run time (a layer
 * resolving a neuron named in a JSON spec). Its attrs and params differ per neuron, hence `any`:
 * the neuron's own schema checks the attrs, and its `createParams` makes the params `step` takes.
 */
export type AnyNeuron = Neuron<string, any, string, any>;

/** The neurons a spec may name by kind, e.g. `{ kind: 'lif', tau: 2 }` inside a recurrent layer. */
export type NeuronLibrary = Readonly<Record<string, AnyNeuron>>;

/** The built-in neurons, keyed by their kind; spread it with your own defineNeuron neurons to extend it. */
export const standardNeurons: NeuronLibrary = {
  [lifNeuron.kind]: lifNeuron,
  [ifNeuron.kind]: ifNeuron,
  [plifNeuron.kind]: plifNeuron,
  [alifNeuron.kind]: alifNeuron,
  [leakyIntegratorNeuron.kind]: leakyIntegratorNeuron,
  [gatedQifNeuron.kind]: gatedQifNeuron,
};
