import { formatShape, isTupleType, nodeAs, type Graph, type GraphBuilder, type Node, type NodeId, type Tensor, type TensorType } from '@spikeflow/core';
import { asTensor, elementsOf, replay, type Replayed } from './replay.js';
import { vjpEntryOf } from './rules/index.js';
import { NON_DIFFERENTIABLE, STRUCTURAL, type BackpropConfig, type VjpContext } from './vjp-types.js';

function isFloatTensor(node: Node): boolean {
  return !isTupleType(node.type) && node.type.dtype === 'f32';
}

export function zerosLike(b: GraphBuilder, t: Tensor): Tensor {
  return b.constant(0, t.shape, t.dtype);
}

/** Replay and backprop under `config`, handed to the rules so they can differentiate a body they hold. */
function contextFor(config: BackpropConfig): VjpContext {
  return {
    replay: (b, graph, leaf, needsGrad, order) => replay(b, graph, leaf, needsGrad, config, order),
    backprop: (b, graph, values, seeds, needsGrad, order) => backprop(b, graph, values, seeds, needsGrad, order, config),
  };
}

/**
 * Reverse sweep: from the seeded cotangents, applies each node's VJP rule in reverse order and
 * sums the cotangents reaching each node. Returns the cotangent of every node reached
 * (leaves included); tuple nodes are handled element-wise through `tupleGet`.
 */
export function backprop(
  b: GraphBuilder,
  graph: Graph,
  values: ReadonlyMap<NodeId, Replayed>,
  seeds: ReadonlyMap<NodeId, Tensor>,
  needsGrad: ReadonlySet<NodeId>,
  order: readonly NodeId[],
  config: BackpropConfig,
): Map<NodeId, Tensor> {
  const ctx = contextFor(config);
  const cot = new Map<NodeId, Tensor>(seeds);
  const tupleCot = new Map<NodeId, (Tensor | undefined)[]>();
  const accumulate = (id: NodeId, g: Tensor, from: Node) => {
    const expected = graph.nodes[id]!.type as TensorType;
    if (g.shape.length !== expected.shape.length || g.shape.some((d, i) => d !== expected.shape[i])) {
      throw new Error(`internal: VJP of '${from.name}' gave a cotangent of shape ${formatShape(g.shape)} for an input of shape ${formatShape(expected.shape)}`);
    }
    const prev = cot.get(id);
    cot.set(id, prev === undefined ? g : prev.add(g));
  };

  for (let k = order.length - 1; k >= 0; k--) {
    const id = order[k]!;
    const node = graph.nodes[id]!;
    if (!needsGrad.has(id)) continue;
    const entry = vjpEntryOf(node);
    if (entry === NON_DIFFERENTIABLE) continue;
    const value = values.get(id)!;
    if (entry === STRUCTURAL) {
      // tupleGet: route this element's cotangent into its tuple.
      const g = cot.get(id);
      if (g === undefined) continue;
      const tuple = node.inputs[0]!;
      const { index } = nodeAs(graph, id, 'tupleGet').attrs;
      const list = tupleCot.get(tuple) ?? [];
      list[index] = list[index] === undefined ? g : list[index]!.add(g);
      tupleCot.set(tuple, list);
      continue;
    }
    const isTuple = isTupleType(node.type);
    const cotangents = isTuple ? (tupleCot.get(id) ?? []) : [cot.get(id)];
    if (cotangents.every((c) => c === undefined)) continue;
    const needs = node.inputs.map((i) => needsGrad.has(i) && isFloatTensor(graph.nodes[i]!));
    if (!needs.some(Boolean)) continue;
    const outputs = elementsOf(value);
    const inputs = node.inputs.map((i) => asTensor(values.get(i)!));
    const rule = typeof entry === 'function' ? entry : entry.vjp;
    const grads = b.scopePath(`grad/${node.name}`, () =>
      rule({
        b,
        node,
        attrs: node.attrs,
        inputs,
        output: outputs[0]!,
        outputs,
        cotangent: cotangents[0] ?? zerosLike(b, outputs[0]!),
        cotangents,
        needs,
        config,
        ctx,
      }),
    );
    grads.forEach((g, i) => {
      if (g !== undefined && needs[i]) accumulate(node.inputs[i]!, g, node);
    });
  }
  return cot;
}
