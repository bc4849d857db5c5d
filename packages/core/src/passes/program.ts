import { leafName, nodeAs, type Graph, type NodeId } from '../graph.js';
import type { Initializer } from '../primitives.js';
import type { TensorType } from '../types.js';
import type { ValueRole } from './memory-plan.js';

/**
 * The parts of a compiled program that are the same on every backend: its values, the steps
 * besides the backend's own kernels (copies of whole values, loops over a scan's steps; generic
 * over the backend's step type `S`), and its interface: the program value of each named input,
 * param, state and output, and the copies that write state updates back. The memory plan reads
 * values and steps as `PlannedValue`s and `PlannedStep`s.
 */

/** A value the program stores: its tensor, its size in bytes, why it exists (a backend may add fields). */
export interface ProgramValue {
  readonly id: NodeId;
  readonly type: TensorType;
  readonly bytes: number;
  readonly role: ValueRole;
  /** Interface name (inputs, params, state, outputs). */
  readonly name?: string;
  /** For constants: the literal to write once (one number fills). */
  readonly constant?: number | readonly number[];
}

/** A value-to-value copy of whole values (state updates, scan carries). */
export interface CopyStep {
  readonly kind: 'copy';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly bytes: number;
}

/** Steps repeated once per scan step t in `times`, each kernel run with step = t. */
export interface LoopStep<S> {
  readonly kind: 'loop';
  readonly times: readonly number[];
  readonly body: readonly S[];
  readonly label: string;
}

export interface NamedValue {
  readonly name: string;
  readonly value: NodeId;
}

export interface StateValue extends NamedValue {
  /** The value holding the state's next value, copied into `value` at the end of each call. */
  readonly update: NodeId;
  readonly init: Initializer;
}

export interface ProgramInterface {
  readonly inputs: readonly NamedValue[];
  readonly params: readonly NamedValue[];
  readonly state: readonly StateValue[];
  readonly outputs: readonly NamedValue[];
}

/** The interface of a compiled `graph`; `resolve` maps a node to the value that holds it (a reshape alias to its source). */
export function programInterface(graph: Graph, resolve: (id: NodeId) => NodeId): ProgramInterface {
  const named = (id: NodeId): NamedValue => ({ name: leafName(graph.nodes[id]!), value: id });
  return {
    inputs: graph.inputs.map(named),
    params: graph.params.map(named),
    state: graph.state.map((s) => ({ ...named(s.node), update: resolve(s.update), init: nodeAs(graph, s.node, 'state').attrs.init })),
    outputs: graph.outputs.map((o) => ({ name: o.name, value: resolve(o.node) })),
  };
}

/** Copies writing each state's update into the state, after every other step (none where the update is the state itself). */
export function stateUpdateCopies(graph: Graph, resolve: (id: NodeId) => NodeId, bytesOf: (id: NodeId) => number): CopyStep[] {
  return graph.state.flatMap((s) => (resolve(s.update) === s.node ? [] : [{ kind: 'copy' as const, from: resolve(s.update), to: s.node, bytes: bytesOf(s.node) }]));
}
