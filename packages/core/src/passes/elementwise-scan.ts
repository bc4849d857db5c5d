import type { Node, Primitive } from '../graph.js';
import { broadcastShapes, type Shape, type TensorType } from '../types.js';

/**
 * The element shape every value of an elementwise scan body broadcasts to (the carries'), or
 * undefined when the body cannot run as one loop over t per element: it has a node whose backend
 * rule is not elementwise (`isElementwise`), or values that do not all broadcast to one shape that
 * the carries and per-step outputs fill. Both backends run such a scan as ONE kernel.
 */
export function elementwiseScanShape(node: Node<'scan'>, inputTypes: readonly TensorType[], isElementwise: (op: Primitive) => boolean): Shape | undefined {
  const { body, numCarries, numSequences } = node.attrs;
  const outs = body.outputs.map((o) => body.nodes[o.node]!.type as TensorType);
  const shape = (outs[0] ?? inputTypes[0])?.shape;
  if (shape === undefined) return undefined;
  const same = (s: Shape) => s.length === shape.length && s.every((d, k) => d === shape[k]);
  const fits = (s: Shape) => {
    const b = broadcastShapes(s, shape);
    return b !== undefined && same(b);
  };
  if (!outs.every((t) => same(t.shape))) return undefined;
  if (!inputTypes.slice(0, numCarries).every((t) => same(t.shape))) return undefined;
  if (!inputTypes.slice(numCarries, numCarries + numSequences).every((t) => fits(t.shape.slice(1)))) return undefined;
  if (!inputTypes.slice(numCarries + numSequences).every((t) => fits(t.shape))) return undefined;
  for (const n of Object.values(body.nodes)) {
    if (n.op === 'input') continue;
    if (n.op === 'constant' && typeof n.attrs.value === 'number') continue;
    if (!isElementwise(n.op)) return undefined;
    if (!fits((n.type as TensorType).shape)) return undefined;
  }
  return shape;
}
