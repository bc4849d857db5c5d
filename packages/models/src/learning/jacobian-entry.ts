import type { GraphBuilder, Shape, Tensor } from '@spikeflow/core';
import type { JacobianEntry } from './rule.js';

/** Arithmetic on Jacobian entries (a number or a tensor), skipping structural zeros. */

export function isZeroEntry(e: JacobianEntry): boolean {
  return e === 0;
}

/** `entry · t`, with `entry` (a number, or a tensor reshaped to broadcast as `shape`) against t. */
export function scaleBy(entry: JacobianEntry, t: Tensor, shape?: Shape): Tensor {
  if (typeof entry === 'number') return entry === 1 ? t : t.mul(entry);
  return t.mul(shape === undefined ? entry : entry.reshape(shape));
}

/** The entry as a [B, N] tensor. */
export function entryTensor(b: GraphBuilder, entry: JacobianEntry, shape: Shape): Tensor {
  return typeof entry === 'number' ? b.constant(entry, shape) : entry;
}

/** Σ of the non-zero terms; `zero()` when every term is zero. */
export function sumTerms(terms: readonly (Tensor | undefined)[], zero: () => Tensor): Tensor {
  const present = terms.filter((t): t is Tensor => t !== undefined);
  return present.length === 0 ? zero() : present.slice(1).reduce((acc, t) => acc.add(t), present[0]!);
}
