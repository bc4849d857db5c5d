import type { Shape, Tensor } from '@spikeflow/core';

/**
 * A tensor of a generated graph with what the generator knows about its values. The fuzzer keeps
 * every value well conditioned by construction, so that a mismatch means a bug, not rounding
 * amplified by the graph:
 *
 * - `bound`: |x| <= bound for every element (an upper bound, not the maximum).
 * - `exact`: every element is a multiple of 2^-bits that f32 holds exactly, and it was computed
 *   only by ops whose f32 result is exact (add, mul, max, shape ops, floor, ...). Such a value is
 *   the same bit for bit on every backend, whatever the evaluation order. Discontinuous ops (floor,
 *   round, sign, comparisons, spike, casts to integers, a `where` condition, a Bernoulli p) take
 *   exact operands only: on an inexact one, a last-bit difference could flip a whole step.
 */
export interface Value {
  readonly t: Tensor;
  readonly exact: boolean;
  /** Exact values are multiples of 2^-bits. */
  readonly bits: number;
  readonly bound: number;
}

/** f32 has a 24-bit significand: k * 2^-bits with |k| < 2^24 is exact. */
const SIGNIFICAND_BITS = 24;

/** A value; it stays exact only if its inputs were and it fits the significand. */
export function value(t: Tensor, bound: number, exactInputs: boolean, bits: number): Value {
  const magnitudeBits = bound <= 1 ? 0 : Math.ceil(Math.log2(bound));
  // Integer and bool arithmetic is exact (wrapping) on every backend; f32 must fit the significand.
  const exact = exactInputs && (t.dtype !== 'f32' || bits + magnitudeBits <= SIGNIFICAND_BITS);
  return { t, exact, bits: exact ? bits : Infinity, bound };
}

/** A value computed by a rounding op (exp, div, ...): never exact. */
export function inexact(t: Tensor, bound: number): Value {
  return { t, exact: false, bits: Infinity, bound };
}

/** True when `from` broadcasts to `to` (numpy rules, without growing `to`). */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  const lead = to.length - from.length;
  return from.every((d, i) => d === 1 || d === to[lead + i]);
}
