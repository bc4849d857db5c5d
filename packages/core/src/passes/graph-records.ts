import { isLeaf, type AnyNode, type Graph, type Node, type NodeId, type Primitive, type PrimitiveAttrs } from '../graph.js';
import { sizeOf, type TensorType } from '../types.js';
import { inferNodeType } from '../validate.js';

/** Helpers for passes that edit a graph's node records in place of rebuilding it. */

/** A source of node ids unused in `nodes`. */
export function freshIds(nodes: Readonly<Record<NodeId, unknown>>): () => NodeId {
  let fresh = 0;
  for (const id of Object.keys(nodes)) fresh = Math.max(fresh, Number(id.replace(/^\D+/, '')) || 0);
  return () => `n${++fresh}`;
}

/** A node record whose type is inferred from its inputs', as the graph builder would. */
export function nodeRecord<P extends Primitive>(nodes: Readonly<Record<NodeId, AnyNode>>, id: NodeId, op: P, inputs: readonly NodeId[], attrs: PrimitiveAttrs[P], name: string): AnyNode {
  const type = inferNodeType(op, inputs.map((i) => nodes[i]!.type), attrs, name);
  return { id, op, inputs, attrs, type, name } as AnyNode;
}

/** Each node's readers (a node reading one value twice is listed once per read). */
export function readersOf(graph: Graph): Map<NodeId, AnyNode[]> {
  const readers = new Map<NodeId, AnyNode[]>();
  for (const n of Object.values(graph.nodes)) for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n]);
  return readers;
}

/** The node a chain of reshapes ending at `id` starts from (`id`'s own node when it is no reshape). */
export function throughReshapes(graph: Graph, id: NodeId): AnyNode {
  let node = graph.nodes[id]!;
  while (node.op === 'reshape') node = graph.nodes[node.inputs[0]!]!;
  return node;
}

/** Whether `id` is computed from `from` (or is it). */
export function dependsOn(graph: Graph, id: NodeId, from: NodeId): boolean {
  const seen = new Set<NodeId>();
  const stack = [id];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n === from) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...graph.nodes[n]!.inputs);
  }
  return false;
}

export const tensorType = (n: Node): TensorType => n.type as TensorType;
export const bytesOf = (n: Node): number => sizeOf(tensorType(n).shape);

/** Lives as long as the program whatever a pass does (a leaf, or a literal), so reading it later costs no memory. */
export const isResident = (n: Node): boolean => isLeaf(n) || n.op === 'constant';

/**
 * A 2-D matmul whose result rows are rows of its left operand times the right one: row r of
 * `a · w` needs row r of `a` only, so any block of rows can be computed on its own.
 */
export function isRowWiseMatmul(n: AnyNode, graph: Graph): n is Node<'matmul'> {
  return n.op === 'matmul' && !n.attrs.transposeA && tensorType(n).dtype === 'f32' && n.inputs.every((i) => tensorType(graph.nodes[i]!).shape.length === 2);
}

/**
 * Rows of a `[rows, width]` matrix per step of a sequence whose step slices have `sliceShape`
 * (the same elements in row-major order), or undefined when a step is not a whole number of rows.
 */
export function rowsPerStep(sliceShape: readonly number[], width: number): number | undefined {
  const size = sizeOf(sliceShape);
  return width > 0 && size % width === 0 ? size / width : undefined;
}
