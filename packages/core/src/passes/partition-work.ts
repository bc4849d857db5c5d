import { isLeaf, type AnyNode, type Graph, type Node, type NodeId } from '../graph.js';
import type { TensorType } from '../types.js';
import { valueRole, type ValueRole } from './memory-plan.js';
import type { Partition } from './partition.js';

/**
 * What a backend lowers of a partitioned graph, the same on every backend: a value for each
 * materialized node, and the work in execution order (scans, and the kernels of materialized
 * nodes). The backend decides how a value is stored and what a kernel becomes.
 */

/** The value of a materialized node (a reshape alias has none: it is its source's). */
export interface PartitionValue {
  readonly id: NodeId;
  readonly node: AnyNode;
  readonly type: TensorType;
  readonly role: ValueRole;
  /** A leaf's interface name and a constant's literal. */
  readonly extra: { readonly name?: string; readonly constant?: number | readonly number[] };
}

/** The values of a partition's materialized nodes, in execution order; `outputs` are the nodes the graph's outputs read. */
export function partitionValues(graph: Graph, part: Partition, outputs: ReadonlySet<NodeId>): PartitionValue[] {
  return part.materialized.flatMap((id) => {
    if (part.aliases.has(id)) return [];
    const node = graph.nodes[id]!;
    const extra = {
      ...(isLeaf(node) ? { name: node.attrs.name } : {}),
      ...(node.op === 'constant' ? { constant: node.attrs.value } : {}),
    };
    return [{ id, node, type: node.type as TensorType, role: valueRole(graph, id, outputs), extra }];
  });
}

/** A kernel: a materialized node other than a leaf, constant or tuple element, with the nodes fused into it and the values it reads. */
export interface KernelWork {
  readonly kind: 'kernel';
  readonly id: NodeId;
  readonly node: AnyNode;
  readonly members: readonly NodeId[];
  readonly loads: readonly NodeId[];
}

/** A scan, lowered as a whole (one kernel, or a step loop). */
export interface ScanWork {
  readonly kind: 'scan';
  readonly node: Node<'scan'>;
}

/** The scans and kernels of a partitioned graph, in execution order. */
export function partitionWork(graph: Graph, part: Partition): (KernelWork | ScanWork)[] {
  return part.order.flatMap((id): (KernelWork | ScanWork)[] => {
    const node = graph.nodes[id]!;
    if (node.op === 'scan') return [{ kind: 'scan', node }];
    if (!part.isMaterialized.has(id) || part.aliases.has(id)) return [];
    const members = part.fused.get(id);
    const loads = part.loads.get(id);
    // Leaves, constants and tuple elements have values but no kernel.
    return members === undefined || loads === undefined ? [] : [{ kind: 'kernel', id, node, members, loads }];
  });
}
