import { eliminateDeadNodes } from '../analysis.js';
import { nodeAs, type Graph, type NodeId } from '../graph.js';
import { GraphBuilder, type Tensor } from '../trace/builder.js';
import { replayedTensor, replayGraph } from '../transform.js';
import type { TensorType } from '../types.js';

/**
 * Rebuilding a scan body with other inputs and outputs, for passes that move work across a scan's
 * boundary: declare the new inputs on a fresh builder, replay the old body on tensors of it, and
 * finish with the outputs in the order the scan's tuple needs.
 */

/** Declares body input `k` of `body` again on `sub`, with its name and, unless given, its type. */
export function redeclareInput(sub: GraphBuilder, body: Graph, k: number, type?: TensorType): Tensor {
  const { name, shape, dtype } = nodeAs(body, body.inputs[k]!, 'input').attrs;
  return sub.input(name, type?.shape ?? shape, type?.dtype ?? dtype);
}

/** `stem`, or `stem_k` for the first k that makes it a name not in `taken`. */
function unusedName(taken: ReadonlySet<string>, stem: string): string {
  let name = stem;
  for (let k = 1; taken.has(name); k++) name = `${stem}_${k}`;
  return name;
}

/** A body input name not taken in `body`. */
export const unusedInputName = (body: Graph, stem: string): string => unusedName(new Set(body.inputs.map((id) => nodeAs(body, id, 'input').attrs.name)), stem);

/** A body output name not taken in `body`. */
export const unusedOutputName = (body: Graph, stem: string): string => unusedName(new Set(body.outputs.map((o) => o.name)), stem);

/** Replays `body` onto `sub` with its input k bound to `bind(k)`: each old node's new tensor. */
export function replayBody(sub: GraphBuilder, body: Graph, bind: (k: number) => Tensor): (id: NodeId) => Tensor {
  const position = new Map(body.inputs.map((id, k) => [id, k]));
  const values = replayGraph(sub, body, (n) => bind(position.get(n.id)!));
  return (id) => replayedTensor(values.get(id)!);
}

/** The rebuilt body with these outputs, in this order (names as given, integer-like ones too). */
export function finishBody(sub: GraphBuilder, outputs: readonly { readonly name: string; readonly value: Tensor }[]): Graph {
  const graph = sub.finish({});
  return eliminateDeadNodes({ ...graph, outputs: outputs.map((o) => ({ name: o.name, node: o.value.id })) });
}
