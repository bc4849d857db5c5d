import { eliminateDeadNodes, topologicalOrder } from '../analysis.js';
import { type AnyNode, type Graph, type Node, type NodeId } from '../graph.js';
import { type TensorType } from '../types.js';
import { ELEMENTWISE, isScalarConstant } from './elementwise-nodes.js';

/**
 * Folds elementwise work over a scan's per-step outputs (and its sequences) into that scan, as
 * new per-step outputs. Element t of such work reads element t of its operands only, which the
 * scan's body holds at step t, so the body computes the same numbers. Only work whose results
 * feed other scans moves (a scan reads its sequences from buffers anyway, so nothing that was
 * fused away becomes a buffer); the per-step outputs it alone read are then never stored. For
 * BPTT this is the charged membrane H = v + (h - v)/τ that `hoistSequenceWork` lifted out of the
 * reverse scan: the forward scan emits H, so its carries v are never stacked and its input h
 * dies inside it.
 */
export function foldIntoProducerScans(graph: Graph): Graph {
  let out = graph;
  for (const id of topologicalOrder(graph)) {
    const node = out.nodes[id];
    if (node?.op === 'scan') out = foldInto(out, node) ?? out;
  }
  return out;
}

/** The outer nodes foldable into `scan`, each with whether it reads a per-step output of the scan. */
function foldable(graph: Graph, scan: Node<'scan'>, order: readonly NodeId[]): { body: Map<NodeId, NodeId>; folded: Map<NodeId, boolean> } {
  const { numCarries, numSequences, body } = scan.attrs;
  // Outer node -> the body node holding its step-t slice: the sequences, then the stacked outputs.
  const sliceOf = new Map<NodeId, NodeId>();
  for (let k = numCarries; k < numCarries + numSequences; k++) sliceOf.set(scan.inputs[k]!, body.inputs[k]!);
  const fromOutputs = new Set<NodeId>();
  for (const n of Object.values(graph.nodes)) {
    if (n.op === 'tupleGet' && n.inputs[0] === scan.id && n.attrs.index >= numCarries) {
      sliceOf.set(n.id, body.outputs[n.attrs.index]!.node);
      fromOutputs.add(n.id);
    }
  }
  const folded = new Map<NodeId, boolean>();
  for (const id of order) {
    const n = graph.nodes[id]!;
    if (!ELEMENTWISE.has(n.op) || sliceOf.has(id)) continue;
    const shape = (n.type as TensorType).shape;
    const operands = n.inputs.filter((i) => !isScalarConstant(graph.nodes[i]!));
    // Same shape as the result, so no operand broadcasts (a [T, N] operand would not be a step slice).
    const sameShape = (i: NodeId) => {
      const s = (graph.nodes[i]!.type as TensorType).shape;
      return s.length === shape.length && s.every((d, k) => d === shape[k]);
    };
    if (operands.length === 0 || !operands.every((i) => (sliceOf.has(i) || folded.has(i)) && sameShape(i))) continue;
    folded.set(
      id,
      operands.some((i) => fromOutputs.has(i) || folded.get(i) === true),
    );
  }
  return { body: sliceOf, folded };
}

/** `graph` with the work over `scan`'s outputs folded into it, or undefined when none folds. */
function foldInto(graph: Graph, scan: Node<'scan'>): Graph | undefined {
  const order = topologicalOrder(graph);
  const { body: sliceOf, folded } = foldable(graph, scan, order);
  if (folded.size === 0) return undefined;
  const readers = new Map<NodeId, AnyNode[]>();
  for (const n of Object.values(graph.nodes)) for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n]);
  const kept = new Set([...graph.outputs.map((o) => o.node), ...graph.state.map((s) => s.update)]);
  // Roots: folded nodes read outside the folded work. Each must descend from the scan's outputs
  // (work on its sequences alone may feed the scan itself) and be read by other scans only.
  const roots = [...folded.keys()].filter((id) => kept.has(id) || (readers.get(id) ?? []).some((r) => !folded.has(r.id)));
  const fits = (id: NodeId) => folded.get(id) === true && !kept.has(id) && (readers.get(id) ?? []).every((r) => folded.has(r.id) || (r.op === 'scan' && r.id !== scan.id));
  if (roots.length === 0 || !roots.every(fits)) return undefined;

  const { body } = scan.attrs;
  const bodyNodes: Record<NodeId, AnyNode> = { ...body.nodes };
  let fresh = 0;
  for (const id of Object.keys(body.nodes)) fresh = Math.max(fresh, Number(id.replace(/^\D+/, '')) || 0);
  const newId = () => `n${++fresh}`;
  const inBody = new Map(sliceOf);
  const slice = (t: TensorType): TensorType => ({ ...t, shape: t.shape.slice(1) });
  for (const id of order.filter((n) => folded.has(n))) {
    const n = graph.nodes[id]!;
    const inputs = n.inputs.map((i) => {
      const known = inBody.get(i);
      if (known !== undefined) return known;
      const constant = newId(); // a scalar constant, copied in
      bodyNodes[constant] = { ...graph.nodes[i]!, id: constant, inputs: [] };
      inBody.set(i, constant);
      return constant;
    });
    const moved = newId();
    bodyNodes[moved] = { ...n, id: moved, inputs, type: slice(n.type as TensorType) } as AnyNode;
    inBody.set(id, moved);
  }
  const tuple = (scan.type as { tuple: readonly TensorType[] }).tuple;
  const next: Node<'scan'> = {
    ...scan,
    type: { tuple: [...tuple, ...roots.map((r) => graph.nodes[r]!.type as TensorType)] },
    attrs: { ...scan.attrs, body: { ...body, nodes: bodyNodes, outputs: [...body.outputs, ...roots.map((r, k) => ({ name: `folded${k}`, node: inBody.get(r)! }))] } },
  };
  const nodes: Record<NodeId, AnyNode> = { ...graph.nodes, [scan.id]: next };
  // Each root keeps its id (its readers are unchanged) and becomes a read of the new output.
  roots.forEach((r, k) => {
    const n = graph.nodes[r]!;
    nodes[r] = { id: r, op: 'tupleGet', inputs: [scan.id], attrs: { index: tuple.length + k }, type: n.type, name: n.name };
  });
  return eliminateDeadNodes({ ...graph, nodes });
}
