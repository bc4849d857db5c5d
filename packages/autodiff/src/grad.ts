import {
  copyInterface,
  eliminateDeadNodes,
  fail,
  finishLike,
  GraphBuilder,
  leafName,
  topologicalOrder,
  type Graph,
  type Node,
  type NodeId,
  type Tensor,
  type TensorType,
} from '@spikeflow/core';
import { backprop, zerosLike } from './backprop.js';
import { dependents } from './dependents.js';
import { asTensor, replay } from './replay.js';
import type { BackpropConfig } from './vjp-types.js';

export interface GradOptions extends BackpropConfig {
  /** The output to differentiate (a scalar loss; a tensor is differentiated as its sum). */
  readonly of: string;
  /** Param (or input) names to differentiate with respect to. */
  readonly wrt: readonly string[];
}

/** Name of the output holding the gradient with respect to `name`. */
export function gradName(name: string): string {
  return `grad/${name}`;
}

function resolveWrt(graph: Graph, wrt: readonly string[]): NodeId[] {
  const candidates = [...graph.params, ...graph.inputs];
  return wrt.map((name, i) => {
    const id = candidates.find((c) => leafName(graph.nodes[c]!) === name);
    if (id === undefined) {
      fail('interface', `wrt[${i}]`, `no param or input named '${name}'`, candidates.map((c) => leafName(graph.nodes[c]!)).join(', ') || 'none', name);
    }
    const type = graph.nodes[id]!.type as TensorType;
    if (type.dtype !== 'f32') fail('dtype', `wrt[${i}]`, `cannot differentiate with respect to '${name}'`, 'an f32 leaf', type.dtype);
    return id;
  });
}

/**
 * Differentiates `graph` as a graph transform: the result computes the outputs in `keep` and the
 * gradient of `of` with respect to each of `wrt` (outputs `grad/<name>`), with the same inputs,
 * params and state. The result is an ordinary graph: printable, serializable, compilable.
 */
function differentiate(graph: Graph, options: GradOptions, keep: (name: string) => boolean): Graph {
  const ofOutput = graph.outputs.find((o) => o.name === options.of);
  if (ofOutput === undefined) fail('interface', 'of', `no output named '${options.of}'`, graph.outputs.map((o) => o.name).join(', '), options.of);
  if ((graph.nodes[ofOutput.node]!.type as TensorType).dtype !== 'f32') fail('dtype', 'of', `output '${options.of}' is not f32`);
  const wrt = resolveWrt(graph, options.wrt);

  const b = new GraphBuilder();
  // The interface first, in its original order, so the gradient graph is called like the forward one.
  const leaves = copyInterface(b, graph);

  const order = topologicalOrder(graph);
  const needsGrad = dependents(graph, wrt, order);
  const values = replay(b, graph, (n) => leaves.get(n.id)!, needsGrad, options, order);
  const loss = asTensor(values.get(ofOutput.node)!);
  const seed = b.scope('grad', () => b.constant(1, loss.shape));
  const cot = backprop(b, graph, values, new Map([[ofOutput.node, seed]]), needsGrad, order, options);

  const grads: Record<string, Tensor> = {};
  wrt.forEach((id, i) => {
    grads[gradName(options.wrt[i]!)] = cot.get(id) ?? b.scope('grad', () => zerosLike(b, leaves.get(id)!));
  });
  return eliminateDeadNodes(finishLike(b, graph, (id) => asTensor(values.get(id)!), leaves, { keep, extra: grads }));
}

/** The forward outputs and the gradients of `of` (outputs `grad/<name>`). */
export function grad(graph: Graph, options: GradOptions): Graph {
  return differentiate(graph, options, () => true);
}

/** Only the value of `of` and its gradients: the minimal graph for a training step. */
export function valueAndGrad(graph: Graph, options: GradOptions): Graph {
  return differentiate(graph, options, (name) => name === options.of);
}
