import type { GraphBuilder, Node, Tensor } from '@spikeflow/core';
import { replaySubgraph } from '../replay.js';
import type { VjpRule, VjpTable } from '../vjp-types.js';

/**
 * The forward pass of a customVjp that will be differentiated: its forward graph inlined, so the
 * residuals (forward outputs after `numOutputs`) become extra tuple elements for the VJP.
 */
export function replayCustomVjpForGrad(b: GraphBuilder, node: Node<'customVjp'>, inputs: readonly Tensor[]): Tensor[] {
  return replaySubgraph(b, node.attrs.forward, inputs);
}

/** The user's backward graph on (residuals, output cotangents); an unused output's cotangent is zero. */
const customVjpRule: VjpRule<'customVjp'> = ({ b, attrs, outputs, cotangents, needs }) => {
  const residuals = outputs.slice(attrs.numOutputs);
  const dys = outputs.slice(0, attrs.numOutputs).map((y, i) => cotangents[i] ?? b.constant(0, y.shape, y.dtype));
  return replaySubgraph(b, attrs.backward, [...residuals, ...dys]).map((g, i) => (needs[i] ? g : undefined));
};

export const customVjpVjp: VjpTable<'customVjp'> = { customVjp: customVjpRule };
