import { copyInterface, finishLike, GraphBuilder, nodeAs, replayedTensor, replayGraph, spikeInputNodes, type AnyNode, type Graph, type NodeId, type TensorType } from '@spikeflow/core';

/** A graph whose declared spike inputs are bool inputs, and the type each of them is fed as. */
export interface SpikeInputGraph {
  readonly graph: Graph;
  /** The inputs made bool, by name, with the type callers still feed them as (their declared one). */
  readonly fedAs: ReadonlyMap<string, TensorType>;
}

/**
 * How the WebAssembly backend honours `spikeInputs` (inputs declared to hold only 0 and 1): each
 * named input that is not bool already becomes a bool input of the same name, cast back to its
 * dtype. Every reader sees the values it saw before, and a matmul whose left operand it is now
 * recognizes 0/1 values by their type (isBinary) and skips the zeros. Callers keep feeding the
 * declared type; `spikeFeedToWords` checks each feed holds only 0 and 1. An unknown name is
 * rejected as on WebGPU (core's spikeInputNodes).
 */
export function spikeInputsAsBool(graph: Graph, names: readonly string[]): SpikeInputGraph {
  const declared = [...spikeInputNodes(graph, names)].map((id) => nodeAs(graph, id, 'input')).filter((node) => node.attrs.dtype !== 'bool');
  const fedAs = new Map(declared.map((node) => [node.attrs.name, node.type as TensorType]));
  if (declared.length === 0) return { graph, fedAs };
  // The same interface, in the same order, with the declared inputs bool (null-prototype: node ids come from graph files too).
  const nodes: Record<NodeId, AnyNode> = Object.assign(Object.create(null), graph.nodes);
  for (const node of declared) nodes[node.id] = { ...node, attrs: { ...node.attrs, dtype: 'bool' } };
  const b = new GraphBuilder();
  const leaves = copyInterface(b, { ...graph, nodes });
  for (const node of declared) leaves.set(node.id, leaves.get(node.id)!.cast(node.attrs.dtype));
  const values = replayGraph(b, graph, (node) => leaves.get(node.id)!);
  return { graph: finishLike(b, graph, (id) => replayedTensor(values.get(id)!), leaves), fedAs };
}
