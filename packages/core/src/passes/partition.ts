import { topologicalOrder } from '../analysis.js';
import { type AnyNode, type Graph, type NodeId, type Primitive } from '../graph.js';
import { REDUCE_OPS } from '../primitives.js';
import { isTupleType } from '../types.js';

/**
 * Decides which nodes get a buffer of their own ("materialized") and groups every other fusible
 * node into the kernel of the materialized node that consumes it. Views of a buffer and filled
 * constants are recomputed in each consumer instead of stored, a reshape of a buffer aliases it,
 * and an elementwise chain feeding only a reduction becomes that reduction's prologue.
 * Backend-neutral: the backend says which primitives its kernels can fuse (`isFusible`) and how
 * many buffers one kernel may bind (`maxBindings`; WebGPU's storage-binding limit, unbounded on
 * the CPU).
 */
export interface Partition {
  /** Nodes with a buffer, in execution order. */
  readonly materialized: readonly NodeId[];
  readonly isMaterialized: ReadonlySet<NodeId>;
  /** Reshapes that share their input's buffer: alias -> source. */
  readonly aliases: ReadonlyMap<NodeId, NodeId>;
  /** For a materialized node: the fusible nodes computed inside its kernel (itself included if fusible). */
  readonly fused: ReadonlyMap<NodeId, readonly NodeId[]>;
  /** For a materialized node: the buffers its kernel reads. */
  readonly loads: ReadonlyMap<NodeId, readonly NodeId[]>;
  readonly order: readonly NodeId[];
}

const REDUCTIONS: ReadonlySet<Primitive> = new Set(REDUCE_OPS);
const VIEWS = new Set(['reshape', 'broadcast', 'transpose', 'slice']);

function isFillConstant(node: AnyNode): boolean {
  return node.op === 'constant' && typeof node.attrs.value === 'number';
}

/** Whether a primitive can be computed inside its consumer's kernel (elementwise, views, random draws). */
export type FusiblePredicate = (op: Primitive) => boolean;

export function partition(graph: Graph, maxBindings: number, isFusible: FusiblePredicate): Partition {
  const order = topologicalOrder(graph);
  const consumers = new Map<NodeId, Set<NodeId>>();
  for (const id of order) for (const input of graph.nodes[id]!.inputs) (consumers.get(input) ?? consumers.set(input, new Set()).get(input)!).add(id);
  const roots = new Set([...graph.outputs.map((o) => o.node), ...graph.state.map((s) => s.update)]);

  const materialized = new Set<NodeId>();
  const cheap = new Set<NodeId>();
  const aliases = new Map<NodeId, NodeId>();
  for (const id of order) {
    const node = graph.nodes[id]!;
    if (!isFusible(node.op) && node.op !== 'constant') {
      // Leaves, kernels (matmul, conv, reductions) and tuple elements own a buffer; a scan node
      // itself only produces the tuple its tupleGets read.
      if (!isTupleType(node.type)) materialized.add(id);
      continue;
    }
    const users = [...(consumers.get(id) ?? [])].map((c) => graph.nodes[c]!);
    // Kernels other than a reduction's prologue read whole buffers.
    const feedsKernel = users.some((u) => !isFusible(u.op) && !(REDUCTIONS.has(u.op) && users.length === 1));
    if (isFillConstant(node)) {
      cheap.add(id);
      if (roots.has(id) || feedsKernel) materialized.add(id);
      continue;
    }
    if (node.op === 'constant') {
      materialized.add(id);
      continue;
    }
    if (VIEWS.has(node.op) && graph.nodes[node.inputs[0]!] && (materialized.has(node.inputs[0]!) || cheap.has(node.inputs[0]!))) cheap.add(id);
    const needsBuffer = roots.has(id) || feedsKernel || (users.length > 1 && !cheap.has(id));
    if (!needsBuffer) continue;
    // A reshape of a stored buffer (through reshapes not stored themselves) is that buffer, read row-major.
    let source = node.inputs[0]!;
    while (node.op === 'reshape' && !materialized.has(source) && graph.nodes[source]!.op === 'reshape') source = graph.nodes[source]!.inputs[0]!;
    if (node.op === 'reshape' && materialized.has(source)) aliases.set(id, aliases.get(source) ?? source);
    materialized.add(id);
  }

  // Group the rest into kernels; split a kernel whose buffers exceed the device's binding limit.
  for (;;) {
    const { fused, loads } = group(graph, order, materialized, aliases, isFusible);
    const over = [...loads].find(([id, l]) => l.length + 1 > maxBindings && (fused.get(id)?.length ?? 0) > 1);
    if (over === undefined) {
      return { materialized: order.filter((id) => materialized.has(id)), isMaterialized: materialized, aliases, fused, loads, order };
    }
    // Materialize the fused input of that kernel that reads the most buffers.
    const [root] = over;
    const inner = fused.get(root)!.filter((n) => n !== root && !cheap.has(n));
    const widest = inner.sort((a, b) => reads(graph, b, materialized).size - reads(graph, a, materialized).size)[0];
    if (widest === undefined) throw new Error(`internal: cannot split the kernel of '${graph.nodes[root]!.name}' under ${maxBindings} bindings`);
    materialized.add(widest);
  }
}

/** The buffers a fusible node reads, directly or through fused inputs. */
function reads(graph: Graph, id: NodeId, materialized: ReadonlySet<NodeId>): Set<NodeId> {
  const out = new Set<NodeId>();
  const visit = (n: NodeId) => {
    for (const input of graph.nodes[n]!.inputs) {
      if (materialized.has(input)) out.add(input);
      else visit(input);
    }
  };
  visit(id);
  return out;
}

function group(graph: Graph, order: readonly NodeId[], materialized: ReadonlySet<NodeId>, aliases: ReadonlyMap<NodeId, NodeId>, isFusible: FusiblePredicate) {
  const fused = new Map<NodeId, NodeId[]>();
  const loads = new Map<NodeId, NodeId[]>();
  const position = new Map(order.map((id, k) => [id, k]));
  for (const root of order) {
    if (!materialized.has(root) || aliases.has(root)) continue;
    const node = graph.nodes[root]!;
    const members = new Set<NodeId>();
    const reads = new Set<NodeId>();
    const visit = (n: NodeId) => {
      for (const input of graph.nodes[n]!.inputs) {
        if (materialized.has(input)) reads.add(input);
        else if (!members.has(input)) {
          members.add(input);
          visit(input);
        }
      }
    };
    if (node.op === 'tupleGet' || node.op === 'input' || node.op === 'param' || node.op === 'state' || node.op === 'constant') continue;
    if (isFusible(node.op)) members.add(root);
    // A kernel's unmaterialized inputs (a reduction's prologue) are computed inside it.
    visit(root);
    const byOrder = (a: NodeId, b: NodeId) => position.get(a)! - position.get(b)!;
    fused.set(root, [...members].sort(byOrder));
    loads.set(root, [...reads].sort(byOrder));
  }
  return { fused, loads };
}
