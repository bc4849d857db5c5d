import { grad, gradName } from '@spikeflow/autodiff';
import { evaluate, GraphBuilder, isLeaf, leafName, sizeOf, type TensorType, type Graph, type NodeId, type Tensor } from '@spikeflow/core';
import type { StateTensors } from '../neurons/define-neuron.js';
import type { AnyNeuron } from '../neurons/library.js';
import { inlineGraph } from './inline-graph.js';
import type { JacobianEntry, StepJacobian } from './rule.js';


const CURRENT = 'current';
const stateInput = (s: string) => `state/${s}`;
const nextOutput = (s: string) => `next/${s}`;
const SPIKE = 'spike';
const entryName = (of: string, wrt: string) => `d/${of}/${wrt}`;

/** Does the node depend on any leaf (input, param, state)? If not, its value is a constant. */
function dependsOnLeaf(graph: Graph, id: NodeId): boolean {
  const seen = new Set<NodeId>();
  const stack = [id];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const node = graph.nodes[n]!;
    if (isLeaf(node)) return true;
    stack.push(...node.inputs);
  }
  return false;
}

/** A constant output whose elements are all equal, as that number; else undefined. */
function uniformConstant(graph: Graph, output: string): number | undefined {
  const node = graph.outputs.find((o) => o.name === output)!.node;
  if (dependsOnLeaf(graph, node)) return undefined;
  const zeros = Object.fromEntries(graph.inputs.map((id) => [leafName(graph.nodes[id]!), new Float64Array(sizeOf((graph.nodes[id]!.type as TensorType).shape))]));
  const data = evaluate(graph, { inputs: zeros }, { precision: 'f64' }).outputs[output]!.data;
  const first = data[0] ?? 0;
  return Array.prototype.every.call(data, (v: number) => v === first) ? first : undefined;
}

/** The one-step Jacobian of a neuron, derived once by autodiff and replayed into every step. */
export interface NeuronJacobian {
  readonly states: readonly string[];
  /** D and c are numbers (see StepJacobian.uniform). */
  readonly uniform: boolean;
  /** The Jacobian at a step from the state entering it and its input current, traced into `b`. */
  at(b: GraphBuilder, state: StateTensors<string>, current: Tensor): StepJacobian;
}

/**
 * Differentiates one step of `neuron` (with `attrs`) for neurons of `shape` [B, N]: for each new
 * state variable and the spike, `grad(sum(out), [s_{t−1}..., I_t])`. The dynamics are
 * elementwise, so these are the per-neuron diagonal Jacobian entries. An entry with no path from
 * a leaf is a constant and becomes a number (0 where no gradient reaches); the rest form one
 * graph, inlined into each step.
 */
export function neuronJacobian(neuron: AnyNeuron, attrs: Readonly<Record<string, unknown>>, shape: readonly [number, number]): NeuronJacobian {
  const probe = new GraphBuilder();
  const states = Object.keys(neuron.initialState(probe, [...shape], attrs));
  const step = new GraphBuilder();
  const state = Object.fromEntries(states.map((s) => [s, step.input(stateInput(s), [...shape])]));
  const current = step.input(CURRENT, [...shape]);
  const next = neuron.step(step, state, current, { attrs });
  const stepGraph = step.finish({ ...Object.fromEntries(states.map((s) => [nextOutput(s), next.state[s]!])), [SPIKE]: next.output });

  const wrt = [...states.map(stateInput), CURRENT];
  const ofs = [...states.map(nextOutput), SPIKE];
  const constants = new Map<string, number>();
  const joint = new GraphBuilder();
  const inputs = Object.fromEntries(wrt.map((name) => [name, joint.input(name, [...shape])]));
  const jointOutputs: Record<string, Tensor> = {};
  for (const of of ofs) {
    const g = grad(stepGraph, { of, wrt });
    const variable = wrt.filter((w) => {
      const value = uniformConstant(g, gradName(w));
      if (value !== undefined) constants.set(entryName(of, w), value);
      return value === undefined;
    });
    const values = inlineGraph(joint, g, inputs, variable.map(gradName));
    variable.forEach((w, k) => (jointOutputs[entryName(of, w)] = values[k]!));
  }
  const jointGraph = joint.finish(jointOutputs);
  const variableNames = Object.keys(jointOutputs);
  const uniform = states.every((a) => [...states.map(stateInput), CURRENT].every((w) => constants.has(entryName(nextOutput(a), w))));

  return {
    states,
    uniform,
    at: (b, s, i) => {
      const feeds = { ...Object.fromEntries(states.map((name) => [stateInput(name), s[name]!])), [CURRENT]: i };
      const values = inlineGraph(b, jointGraph, feeds, variableNames);
      const byName = new Map(variableNames.map((n, k) => [n, values[k]!]));
      const entry = (of: string, w: string): JacobianEntry => constants.get(entryName(of, w)) ?? byName.get(entryName(of, w))!;
      return {
        states,
        stateToState: states.map((a) => states.map((c) => entry(nextOutput(a), stateInput(c)))),
        inputToState: states.map((a) => entry(nextOutput(a), CURRENT)),
        stateToSpike: states.map((c) => entry(SPIKE, stateInput(c))),
        inputToSpike: entry(SPIKE, CURRENT),
        uniform,
      };
    },
  };
}
