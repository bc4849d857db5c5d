import type { DType } from './dtype.js';
import type { Shape } from './types.js';

/** How a `param` or `state` leaf gets its first value. Random kinds use the counter-based RNG. */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'fill'; readonly value: number }
  | { readonly kind: 'values'; readonly values: readonly number[] }
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number };

/** The attrs of a primitive that has none. */
export type NoAttrs = Readonly<Record<string, never>>;

export const UNARY_OPS = [
  'neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'rsqrt', 'reciprocal',
  'sin', 'cos', 'tanh', 'sigmoid', 'floor', 'ceil', 'round', 'logicalNot',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export const COMPARE_OPS = ['less', 'lessEqual', 'greater', 'greaterEqual', 'equal', 'notEqual'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

export const LOGICAL_OPS = ['logicalAnd', 'logicalOr'] as const;
export type LogicalOp = (typeof LOGICAL_OPS)[number];

export const REDUCE_OPS = ['sum', 'max', 'mean'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export const RANDOM_OPS = ['uniform', 'normal', 'bernoulli'] as const;
export type RandomOp = (typeof RANDOM_OPS)[number];

/**
 * What each reduction computes, typed over ReduceOp so a new reduction fails type-checking until
 * it states this (every backend reads it instead of testing op names): how two partial results
 * combine (`sum`: a + b; `max`: the larger, a NaN kept), and whether the total is divided by the
 * number of elements reduced.
 */
export const REDUCTIONS: { readonly [K in ReduceOp]: { readonly combine: 'sum' | 'max'; readonly divideByCount: boolean } } = {
  sum: { combine: 'sum', divideByCount: false },
  max: { combine: 'max', divideByCount: false },
  mean: { combine: 'sum', divideByCount: true },
};

export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

export interface RandomAttrs {
  readonly shape: Shape;
  /** Key of the counter-based generator; the `counter` input (the step) varies it per call. */
  readonly seed: number;
}


export type LeafOp = 'input' | 'param' | 'state' | 'constant';
