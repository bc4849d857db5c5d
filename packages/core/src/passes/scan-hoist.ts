import { eliminateDeadNodes, topologicalOrder } from '../analysis.js';
import { type AnyNode, type Graph, type Node, type NodeId } from '../graph.js';
import { type TensorType } from '../types.js';
import { ELEMENTWISE, isScalarConstant } from './elementwise-nodes.js';
import { foldIntoProducerScans } from './scan-fold.js';
import { simplify } from './simplify.js';

/**
 * Hoists sequence pre-work out of scans. Elementwise work of a scan body that reads only
 * per-step slices of its sequences (no carry) gives the same numbers when run once over the
 * stacked sequences before the scan. Where one such value is all the body needs of several
 * sequences, the scan reads that value instead of them, and the sequences it replaces die
 * earlier. BPTT's reverse scan is the case this is for: the LIF backward recomputes the charged
 * membrane H = v + (h - v)/τ from the saved carries v and the layer's pre-activations h, so
 * hoisting H frees h (as large as the saved carries) before the backward's temporaries exist.
 * The hoisted work then folds into the scan whose outputs it reads (`foldIntoProducerScans`): the
 * forward scan emits H itself, so neither v nor h outlives it.
 */
export function hoistSequenceWork(graph: Graph): Graph {
  let out = graph;
  for (const node of Object.values(graph.nodes)) {
    if (node.op !== 'scan') continue;
    // Each hoist replaces two or more sequences by one, so this ends.
    for (let scan: Node<'scan'> | undefined = node; scan !== undefined; ) {
      const next = hoistOnce(out, scan);
      if (next === undefined) break;
      out = next.graph;
      scan = next.scan;
    }
  }
  return foldIntoProducerScans(out);
}

/**
 * The body node whose value can replace two or more sequences (the first in execution order), with
 * the body nodes it is computed from, or undefined.
 */
function hoistable(body: Graph, numCarries: number, numSequences: number): { root: NodeId; cone: NodeId[]; replaced: NodeId[] } | undefined {
  const sequences = body.inputs.slice(numCarries, numCarries + numSequences);
  const order = topologicalOrder(body);
  const users = new Map<NodeId, NodeId[]>();
  for (const id of order) for (const input of body.nodes[id]!.inputs) users.set(input, [...(users.get(input) ?? []), id]);
  const outputs = new Set(body.outputs.map((o) => o.node));
  // Per node computed elementwise from sequence slices and scalar constants only: the sequences it reads.
  const reads = new Map<NodeId, Set<NodeId>>(sequences.map((id) => [id, new Set([id])]));
  for (const id of order) {
    const n = body.nodes[id]!;
    if (!ELEMENTWISE.has(n.op)) continue;
    const from = n.inputs.map((i) => (isScalarConstant(body.nodes[i]!) ? new Set<NodeId>() : reads.get(i)));
    if (from.some((f) => f === undefined)) continue;
    // Stacking prepends T to every operand; operands of a lower rank would then broadcast T against
    // another axis ([T, N] against [T, B, N]), so only same-rank operands keep their meaning.
    const rank = (n.type as TensorType).shape.length;
    if (n.inputs.some((i) => !isScalarConstant(body.nodes[i]!) && (body.nodes[i]!.type as TensorType).shape.length !== rank)) continue;
    reads.set(id, new Set(from.flatMap((f) => [...f!])));
  }
  for (const id of order) {
    const replaced = reads.get(id);
    if (replaced === undefined || replaced.size < 2 || sequences.includes(id)) continue;
    // The cone: every node between the replaced sequences and this one. None may be read elsewhere.
    const cone = new Set<NodeId>();
    const visit = (n: NodeId) => {
      if (cone.has(n) || !reads.has(n)) return;
      cone.add(n);
      body.nodes[n]!.inputs.forEach(visit);
    };
    visit(id);
    const closed = [...cone].every((n) => n === id || (!outputs.has(n) && (users.get(n) ?? []).every((u) => cone.has(u))));
    if (closed) return { root: id, cone: order.filter((n) => cone.has(n) && !sequences.includes(n)), replaced: sequences.filter((s) => replaced.has(s)) };
  }
  return undefined;
}

/** One hoist on one scan: the rewritten graph and scan node, or undefined when nothing hoists. */
function hoistOnce(graph: Graph, scan: Node<'scan'>): { graph: Graph; scan: Node<'scan'> } | undefined {
  const { numCarries, numSequences, length } = scan.attrs;
  const body = simplify(scan.attrs.body);
  const found = hoistable(body, numCarries, numSequences);
  if (found === undefined) return undefined;
  const { root, cone, replaced } = found;
  let fresh = 0;
  for (const id of Object.keys(graph.nodes)) fresh = Math.max(fresh, Number(id.replace(/^\D+/, '')) || 0);
  const newId = () => `n${++fresh}`;
  const nodes: Record<NodeId, AnyNode> = { ...graph.nodes };
  // Body node -> outer node: sequences to the scan's inputs, the cone to new nodes over [length, ...].
  const outer = new Map<NodeId, NodeId>(body.inputs.map((id, k) => [id, scan.inputs[k]!]));
  const stacked = (t: TensorType): TensorType => ({ ...t, shape: [length, ...t.shape] });
  for (const id of cone) {
    const n = body.nodes[id]!;
    const inputs = n.inputs.map((i) => {
      const known = outer.get(i);
      if (known !== undefined) return known;
      const constant = newId();
      nodes[constant] = { ...body.nodes[i]!, id: constant, inputs: [] };
      outer.set(i, constant);
      return constant;
    });
    const moved = newId();
    nodes[moved] = { ...n, id: moved, inputs, type: stacked(n.type as TensorType), name: `${scan.name}/hoisted/${n.name.split('/').pop()}` } as AnyNode;
    outer.set(id, moved);
  }
  // The body reads the root as a new sequence, after the sequences it keeps.
  const type = body.nodes[root]!.type as TensorType;
  const bodyNodes: Record<NodeId, AnyNode> = { ...body.nodes };
  bodyNodes[root] = { id: root, op: 'input', inputs: [], attrs: { name: `hoisted${numSequences}`, shape: type.shape, dtype: type.dtype }, type, name: body.nodes[root]!.name };
  for (const id of [...cone.filter((n) => n !== root), ...replaced]) delete bodyNodes[id];
  const kept = body.inputs.slice(numCarries, numCarries + numSequences).filter((s) => !replaced.includes(s));
  const bodyInputs = [...body.inputs.slice(0, numCarries), ...kept, root, ...body.inputs.slice(numCarries + numSequences)];
  const newBody = eliminateDeadNodes({ ...body, nodes: bodyNodes, inputs: bodyInputs });
  const next: Node<'scan'> = {
    ...scan,
    inputs: bodyInputs.map((id) => outer.get(id)!),
    attrs: { ...scan.attrs, numSequences: kept.length + 1, body: newBody },
  };
  nodes[scan.id] = next;
  return { graph: eliminateDeadNodes({ ...graph, nodes }), scan: next };
}
