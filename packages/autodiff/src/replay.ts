import { replayedTensor, replayGraph, Tensor, type Graph, type GraphBuilder, type Node, type NodeId, type ReplayedValue, type ReplayOptions } from '@spikeflow/core';
import { replayOnInputs } from './replay-on-inputs.js';
import { vjpEntryOf } from './rules/index.js';
import type { BackpropConfig } from './vjp-types.js';

/** A replayed value: a tensor, or the elements of a tuple-valued node. */
export type Replayed = ReplayedValue;

export const asTensor = replayedTensor;

export function elementsOf(v: Replayed): readonly Tensor[] {
  return v instanceof Tensor ? [v] : v;
}

/** Replays the nodes in `needsGrad` whose VJP entry has a `replayForGrad` through it; the rest as they are. */
function replayForGradOverride(b: GraphBuilder, needsGrad: ReadonlySet<NodeId>, config: BackpropConfig): ReplayOptions['override'] {
  return (node, inputs) => {
    if (!needsGrad.has(node.id)) return undefined;
    const entry = vjpEntryOf(node);
    if (typeof entry !== 'object') return undefined;
    return entry.replayForGrad({ b, node, inputs: inputs.map(asTensor), config });
  };
}

/**
 * Replays `graph` node by node into builder `b`, with each leaf bound by `leaf`. Nodes that
 * need a gradient and keep residuals (scan, customVjp) are replayed in a form that exposes
 * them: their tuple gets extra elements after the original ones, read by their VJP rules.
 */
export function replay(
  b: GraphBuilder,
  graph: Graph,
  leaf: (node: Node) => Tensor,
  needsGrad: ReadonlySet<NodeId>,
  config: BackpropConfig,
  order?: readonly NodeId[],
): Map<NodeId, Replayed> {
  return replayGraph(b, graph, leaf, { ...(order ? { order } : {}), override: replayForGradOverride(b, needsGrad, config) });
}

/** Replays a subgraph (scan body, customVjp half) on positional inputs for differentiation; returns its outputs in order. */
export function replaySubgraph(b: GraphBuilder, graph: Graph, inputs: readonly Tensor[], needsGrad: ReadonlySet<NodeId> = new Set(), config: BackpropConfig = {}): Tensor[] {
  return replayOnInputs(b, graph, inputs, { override: replayForGradOverride(b, needsGrad, config) });
}
