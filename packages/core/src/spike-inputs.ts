import { fail } from './errors.js';
import { leafName, type Graph, type NodeId } from './graph.js';

/**
 * The input nodes a compile option `spikeInputs` names (inputs declared to hold only 0 and 1), or
 * ONE error naming the first unknown one. The WebGPU and WebAssembly backends read the option
 * through this, so a name means the same input, and a typo the same error, on both.
 */
export function spikeInputNodes(graph: Graph, names: readonly string[]): Set<NodeId> {
  const byName = new Map(graph.inputs.map((id) => [leafName(graph.nodes[id]!), id]));
  return new Set(
    names.map((name) => {
      const id = byName.get(name);
      if (id === undefined) fail('interface', `spikeInputs.${name}`, 'the graph has no input of this name', [...byName.keys()].join(', ') || 'none', name);
      return id;
    }),
  );
}
