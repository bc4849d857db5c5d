import { isTupleType, type Graph, type NodeId, type Partition } from '@spikeflow/core';
import { isFusible, isKernelOp } from '../codegen/wgsl-rules.js';
import { oneKernelScanShape } from '../compiler/scan.js';
import { spikeTrains } from './proven-spike-trains.js';
import { stepLoopPackedInputs } from './step-loop-reads.js';

/**
 * The spike trains worth storing as bits: temporaries proven 0/1 (see `spikeTrains`) that outlive
 * the kernel right after their producer. In a gradient graph these are the forward's spikes that
 * the backward reads, the part of BPTT memory that grows with T; one read at once would gain no
 * memory for the cost of its pack step. Every reader must read through `loadStored`: kernels do,
 * and so does a scan lowered to one kernel, and a step-loop scan's body where it takes the value as
 * a sequence or constant (see `stepLoopPackedInputs`); a step-loop carry, an output or a state
 * update disqualifies the value. Inputs declared spike trains (`spikeInputs`) are packed by the
 * host at every feed, which rejects any other value; one that cannot be packed (an output, or a
 * step-loop carry) is not trusted either.
 */
export function savedSpikeTrains(graph: Graph, part: Partition, maxBindings: number, spikeInputs: ReadonlySet<NodeId> = new Set()): Set<NodeId> {
  const interfaceOps = new Set(['input', 'param', 'state', 'constant', 'tupleGet']);
  const roots = new Set([...graph.outputs.map((o) => o.node), ...graph.state.map((s) => s.update)].map((id) => part.aliases.get(id) ?? id));
  // Kernel position of every node that launches work (materialized roots and scans), in order.
  const position = new Map<NodeId, number>();
  for (const id of part.order) {
    const node = graph.nodes[id]!;
    if (node.op === 'scan' || (part.loads.has(id) && !part.aliases.has(id) && !interfaceOps.has(node.op))) position.set(id, position.size);
  }
  const readers = new Map<NodeId, NodeId[]>();
  // Values some reader takes as plain floats (it cannot unpack them).
  const readUnpacked = new Set<NodeId>();
  const addReader = (load: NodeId, reader: NodeId, unpacks: boolean) => {
    const source = part.aliases.get(load) ?? load;
    readers.set(source, [...(readers.get(source) ?? []), reader]);
    if (!unpacks) readUnpacked.add(source);
  };
  for (const [root, loads] of part.loads) {
    if (!position.has(root)) continue;
    const node = graph.nodes[root]!;
    for (const load of loads) addReader(load, root, isFusible(node.op) || isKernelOp(node.op));
  }
  // A scan only produces the tuple its tupleGets read, so the partition lists no loads for it;
  // its inputs are read all the same, each as the scan's lowering binds it.
  for (const id of part.order) {
    const node = graph.nodes[id]!;
    if (node.op !== 'scan') continue;
    const packable = oneKernelScanShape(graph, node, maxBindings) !== undefined ? undefined : stepLoopPackedInputs(node, maxBindings);
    node.inputs.forEach((input, k) => addReader(input, id, packable === undefined || packable.has(k)));
  }
  const readsPacked = (id: NodeId) => readers.has(id) && !readUnpacked.has(id);
  const saved = new Set<NodeId>();
  // Spike inputs live for the whole call: packing them always pays once every reader can unpack.
  for (const id of spikeInputs) if (!roots.has(id) && !readUnpacked.has(id)) saved.add(id);
  // Only a packed input is checked at its feeds, so only those are trusted to hold spikes.
  const proven = spikeTrains(graph, new Set(saved));
  for (const id of part.materialized) {
    const node = graph.nodes[id]!;
    if (!proven.has(id) || part.aliases.has(id) || roots.has(id) || isTupleType(node.type) || node.op === 'input' || node.op === 'param' || node.op === 'state' || node.op === 'constant') continue;
    const producer = node.op === 'tupleGet' ? node.inputs[0]! : id;
    const from = position.get(producer);
    const users = readers.get(id) ?? [];
    if (from === undefined || !readsPacked(id)) continue;
    const last = Math.max(...users.map((u) => position.get(u)!));
    if (last - from > 1) saved.add(id);
  }
  return saved;
}

/** The saved spike trains with the reshape aliases that share their buffers. */
export function withAliases(values: ReadonlySet<NodeId>, part: Partition): Set<NodeId> {
  const out = new Set(values);
  for (const [alias, source] of part.aliases) if (values.has(source)) out.add(alias);
  return out;
}
