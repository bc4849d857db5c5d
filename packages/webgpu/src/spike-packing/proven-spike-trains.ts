import { isTupleType, topologicalOrder, type AnyNode, type Graph, type NodeId, type TensorType } from '@spikeflow/core';

/**
 * Which tensors of a graph are proven spike trains: every element is exactly 0 or 1, whatever the
 * graph's inputs hold. The compiler may then store them as bits and skip their zeros. The rules,
 * each sound on its own (an unlisted op proves nothing):
 * - `spike` (the Heaviside step, whatever its surrogate), `bernoulli` and `oneHot` make 0/1;
 * - every bool tensor is 0/1 (comparisons, logical ops, bool leaves), and so is a `cast` of a
 *   spike train to any dtype;
 * - a constant whose every value is 0 or 1;
 * - views and rearrangements of spike trains: reshape, broadcast, transpose, slice, gather (of
 *   input 0), concat (of spike trains only), pad with 0 or 1, stopGradient;
 * - `where(c, a, b)` with spike trains a and b; `mul`, `minimum`, `maximum` of two spike trains
 *   (and, or); `1 - s` (not); abs, floor, ceil, round of one (the identity on 0/1);
 * - `max` over axes of a spike train that are not empty;
 * - a scan's stacked output or final carry whose body output is one, given the body inputs that
 *   are (sequences and constants that are spike trains outside; carries by a greatest fixed point:
 *   a carry is assumed one while its initial value and its body update are);
 * - a customVjp's output that its forward graph proves (the backward does not change values).
 */
export function spikeTrains(graph: Graph, provenInputs: ReadonlySet<NodeId> = new Set()): Set<NodeId> {
  const proven = new Set<NodeId>();
  for (const id of topologicalOrder(graph)) {
    const node = graph.nodes[id]!;
    if (isTupleType(node.type)) continue; // scan and customVjp: proven per element, at tupleGet
    if (provenInputs.has(id) || node.type.dtype === 'bool' || provesSpikes(graph, node, proven)) proven.add(id);
  }
  return proven;
}

const IDENTITY_ON_SPIKES = new Set(['reshape', 'broadcast', 'transpose', 'slice', 'gather', 'stopGradient', 'cast', 'abs', 'floor', 'ceil', 'round']);
const SPIKE_SOURCES = new Set(['spike', 'bernoulli', 'oneHot']);

const isSpikeValue = (v: number) => v === 0 || v === 1;

function isFill(graph: Graph, id: NodeId, value: number): boolean {
  const node = graph.nodes[id]!;
  return node.op === 'constant' && node.attrs.value === value;
}

function provesSpikes(graph: Graph, node: AnyNode, proven: ReadonlySet<NodeId>): boolean {
  const has = (k: number) => proven.has(node.inputs[k]!);
  const all = () => node.inputs.every((i) => proven.has(i));
  if (SPIKE_SOURCES.has(node.op)) return true;
  if (IDENTITY_ON_SPIKES.has(node.op)) return has(0);
  switch (node.op) {
    case 'constant': {
      const { value } = node.attrs;
      return typeof value === 'number' ? isSpikeValue(value) : value.every(isSpikeValue);
    }
    case 'pad':
      return has(0) && isSpikeValue(node.attrs.value);
    case 'concat':
    case 'mul':
    case 'minimum':
    case 'maximum':
      return all();
    case 'where':
      return has(1) && has(2);
    case 'sub':
      return isFill(graph, node.inputs[0]!, 1) && has(1);
    case 'max': {
      const { axes } = node.attrs;
      const shape = (graph.nodes[node.inputs[0]!]!.type as TensorType).shape;
      return has(0) && axes.every((a) => shape.at(a) !== 0);
    }
    case 'tupleGet':
      return tupleElementProven(graph, graph.nodes[node.inputs[0]!]!, node.attrs.index, proven);
    default:
      return false;
  }
}

function tupleElementProven(graph: Graph, source: AnyNode, index: number, proven: ReadonlySet<NodeId>): boolean {
  if (source.op === 'customVjp') {
    const { forward } = source.attrs;
    const inside = spikeTrains(forward, new Set(forward.inputs.filter((_, k) => proven.has(source.inputs[k]!))));
    return inside.has(forward.outputs[index]!.node);
  }
  if (source.op !== 'scan') return false;
  const { body, numCarries } = source.attrs;
  const outside = source.inputs.map((i) => proven.has(i));
  // Greatest fixed point over the carries: drop a carry whose update the body cannot prove.
  const carries = outside.slice(0, numCarries);
  for (;;) {
    const assumed = new Set(body.inputs.filter((_, k) => (k < numCarries ? carries[k] : outside[k])));
    const inside = spikeTrains(body, assumed);
    const dropped = carries.findIndex((c, k) => c && !inside.has(body.outputs[k]!.node));
    if (dropped < 0) return inside.has(body.outputs[index]!.node);
    carries[dropped] = false;
  }
}
