import { isOp, type Node } from '../graph.js';
import { Tensor } from '../trace/builder.js';
import { sameShape, type TensorType } from '../types.js';

/**
 * Identities that drop a whole kernel's worth of work: x·1, 1·x, x/1, x+0, 0+x, x−0 and x^1
 * are x. They appear where autodiff seeds a gradient with ones (the VJP of a sum is a broadcast
 * 1 times the cotangent) or a layer is built with a neutral constant. Only applied when x already
 * has the result's shape and dtype, so nothing needs a broadcast in its place. x+0 may turn −0
 * into +0 in IEEE arithmetic; dropping it keeps −0, which no comparison or product can tell apart.
 */
const NEUTRAL_RIGHT: Partial<Record<Node['op'], number>> = { mul: 1, div: 1, add: 0, sub: 0, pow: 1 };
const NEUTRAL_LEFT: Partial<Record<Node['op'], number>> = { mul: 1, add: 0 };

/**
 * The operand that `node` reduces to, or undefined. `fillOf` gives the single value every element
 * of a tensor is known to hold (a filled constant, or a broadcast or reshape of one).
 */
export function neutralOperand(node: Node, inputs: readonly Tensor[], fillOf: (t: Tensor) => number | undefined): Tensor | undefined {
  if (inputs.length !== 2) return undefined;
  const [left, right] = inputs as [Tensor, Tensor];
  const type = node.type as TensorType;
  const keeps = (t: Tensor) => t.dtype === type.dtype && sameShape(t.shape, type.shape);
  if (NEUTRAL_RIGHT[node.op] !== undefined && fillOf(right) === NEUTRAL_RIGHT[node.op] && keeps(left)) return left;
  if (NEUTRAL_LEFT[node.op] !== undefined && fillOf(left) === NEUTRAL_LEFT[node.op] && keeps(right)) return right;
  return undefined;
}

/** The value of every element when all are equal and known at compile time. */
export function constantFill(node: Node, inputFills: readonly (number | undefined)[]): number | undefined {
  if (node.op === 'constant') {
    const { value } = node.attrs as { value: number | readonly number[] };
    if (typeof value === 'number') return value;
    return value.length > 0 && value.every((v) => Object.is(v, value[0])) ? value[0] : undefined;
  }
  // Shape-only ops of a filled tensor are filled with the same value.
  if (node.op === 'broadcast' || node.op === 'reshape' || node.op === 'transpose') return inputFills[0];
  return undefined;
}

/** Whether a transpose's permutation swaps the last two axes and keeps every other in place. */
function swapsLastTwo(perm: readonly number[]): boolean {
  const n = perm.length;
  return n >= 2 && perm[n - 2] === n - 1 && perm[n - 1] === n - 2 && perm.slice(0, n - 2).every((p, k) => p === k);
}

/**
 * `matmul(transpose(A), B)` as `matmul(A, B)` with `transposeA` flipped (and likewise for B), when
 * the transpose swaps the last two axes: the matmul kernels read either layout, so the transpose's
 * kernel and buffer go (inside a scan body, once per step). The same products, summed in the same
 * order, so the same numbers.
 */
export function matmulOfTransposed(node: Node, inputs: readonly Tensor[]): Tensor | undefined {
  if (!isOp(node, 'matmul')) return undefined;
  const { attrs } = node;
  const unwrap = (t: Tensor): Tensor | undefined => {
    const source = t.builder.nodeOf(t.id);
    if (!isOp(source, 'transpose') || !swapsLastTwo(source.attrs.perm)) return undefined;
    return new Tensor(t.builder, source.inputs[0]!);
  };
  const [a, b] = inputs as [Tensor, Tensor];
  const [plainA, plainB] = [unwrap(a), unwrap(b)];
  if (plainA === undefined && plainB === undefined) return undefined;
  return (plainA ?? a).matmul(plainB ?? b, {
    transposeA: plainA === undefined ? attrs.transposeA : !attrs.transposeA,
    transposeB: plainB === undefined ? attrs.transposeB : !attrs.transposeB,
  });
}
