import type { DType } from './dtype.js';
import { fail } from './errors.js';
import type { FeedElements } from './feed-check.js';
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

/**
 * Rejects a checked feed of a declared spike input unless every element is 0 or 1 once rounded to
 * the declared dtype (float32: 1 + 1e-12 counts as 1), with ONE error naming the element. Both
 * backends call it, so a feed is accepted, stored and refused alike on each.
 */
export function checkSpikeElements({ elements, size, scalar, kind }: FeedElements, dtype: DType, field: string): void {
  const bad = (i: number) => fail('feed', scalar ? field : `${field}[${i}]`, 'a spike input holds only 0 and 1', '0 or 1', String(elements[i]));
  const values = elements as ArrayLike<number>;
  // Float32 data (or an integer dtype) needs no rounding: the common case, a tight loop.
  if (dtype !== 'f32' || kind === 'Float32Array') {
    for (let i = 0; i < size; i++) if (values[i] !== 0 && values[i] !== 1) bad(i);
    return;
  }
  for (let i = 0; i < size; i++) {
    const v = Math.fround(values[i]!);
    if (v !== 0 && v !== 1) bad(i);
  }
}

/** Element i of a feed checked by `checkSpikeElements`, as the spike it holds (an element past 0.5 is a 1). */
export const spikeAt = (elements: ArrayLike<unknown>, i: number): 0 | 1 => ((elements[i] as number) >= 0.5 ? 1 : 0);
