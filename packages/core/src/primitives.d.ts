import type { DType } from './dtype.js';
import type { Graph } from './graph.js';
import type { Surrogate } from './surrogate.js';
import type { Shape } from './types.js';
/** How a `param` or `state` leaf gets its first value. Random kinds use the counter-based RNG. */
export type Initializer = {
    readonly kind: 'zeros';
} | {
    readonly kind: 'ones';
} | {
    readonly kind: 'fill';
    readonly value: number;
} | {
    readonly kind: 'values';
    readonly values: readonly number[];
} | {
    readonly kind: 'uniform';
    readonly low: number;
    readonly high: number;
} | {
    readonly kind: 'normal';
    readonly mean: number;
    readonly std: number;
};
type NoAttrs = Readonly<Record<string, never>>;
export declare const UNARY_OPS: readonly ["neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tanh", "sigmoid", "floor", "ceil", "round", "logicalNot"];
export type UnaryOp = (typeof UNARY_OPS)[number];
export declare const BINARY_OPS: readonly ["add", "sub", "mul", "div", "pow", "maximum", "minimum"];
export type BinaryOp = (typeof BINARY_OPS)[number];
export declare const COMPARE_OPS: readonly ["less", "lessEqual", "greater", "greaterEqual", "equal", "notEqual"];
export type CompareOp = (typeof COMPARE_OPS)[number];
export declare const LOGICAL_OPS: readonly ["logicalAnd", "logicalOr"];
export type LogicalOp = (typeof LOGICAL_OPS)[number];
export declare const REDUCE_OPS: readonly ["sum", "max", "mean"];
export type ReduceOp = (typeof REDUCE_OPS)[number];
export declare const RANDOM_OPS: readonly ["uniform", "normal", "bernoulli"];
export type RandomOp = (typeof RANDOM_OPS)[number];
export interface ReduceAttrs {
    readonly axes: readonly number[];
    readonly keepDims: boolean;
}
export interface RandomAttrs {
    readonly shape: Shape;
    /** Key of the counter-based generator; the `counter` input (the step) varies it per call. */
    readonly seed: number;
}
/**
 * Attributes of every primitive. This interface IS the primitive set: every rule table is typed
 * `{ [P in Primitive]: Rule<P> }`, so adding a key here fails type-checking until each table has it.
 */
export interface PrimitiveAttrs extends Record<UnaryOp, NoAttrs>, Record<BinaryOp, NoAttrs>, Record<CompareOp, NoAttrs>, Record<LogicalOp, NoAttrs>, Record<ReduceOp, ReduceAttrs>, Record<RandomOp, RandomAttrs> {
    /** Fed on every call. */
    input: {
        readonly name: string;
        readonly shape: Shape;
        readonly dtype: DType;
    };
    /** Trainable; lives with the model. */
    param: {
        readonly name: string;
        readonly shape: Shape;
        readonly dtype: DType;
        readonly init: Initializer;
    };
    /** Carried between calls; its next value is named in `Graph.state`. */
    state: {
        readonly name: string;
        readonly shape: Shape;
        readonly dtype: DType;
        readonly init: Initializer;
    };
    /** A literal: `value` is one number (filled) or every element in row-major order. */
    constant: {
        readonly shape: Shape;
        readonly dtype: DType;
        readonly value: number | readonly number[];
    };
    /** `where(cond, a, b)`: a where cond is true, else b; all three broadcast. */
    where: NoAttrs;
    cast: {
        readonly dtype: DType;
    };
    /** Heaviside step: 1 where x >= 0 (SpikingJelly's convention); the gradient uses `surrogate`. */
    spike: {
        readonly surrogate: Surrogate;
    };
    reshape: {
        readonly shape: Shape;
    };
    transpose: {
        readonly perm: readonly number[];
    };
    broadcast: {
        readonly shape: Shape;
    };
    /** Per axis: start (inclusive), end (exclusive), step (>= 1); all already clamped to the shape. */
    slice: {
        readonly starts: readonly number[];
        readonly ends: readonly number[];
        readonly steps: readonly number[];
    };
    concat: {
        readonly axis: number;
    };
    /** Per axis: [before, after] amounts of `value`. */
    pad: {
        readonly pads: readonly (readonly [number, number])[];
        readonly value: number;
    };
    /** numpy `take(x, indices, axis)`: out shape = x[:axis] + indices + x[axis+1:]. */
    gather: {
        readonly axis: number;
    };
    /** Integer indices -> f32 one-hot vectors along a new last axis; out-of-range indices give zeros. */
    oneHot: {
        readonly depth: number;
    };
    /** Batched `[..., M, K] @ [..., K, N]` with broadcast batch dims; operands may be read transposed. */
    matmul: {
        readonly transposeA: boolean;
        readonly transposeB: boolean;
    };
    /** x `[N, Cin, W]`, w `[Cout, Cin/groups, K]` -> `[N, Cout, Wout]`. */
    conv1d: {
        readonly stride: number;
        readonly padding: readonly [number, number];
        readonly dilation: number;
        readonly groups: number;
    };
    /** x `[N, Cin, H, W]`, w `[Cout, Cin/groups, KH, KW]` -> `[N, Cout, Hout, Wout]`. */
    conv2d: {
        readonly stride: readonly [number, number];
        readonly padding: readonly [readonly [number, number], readonly [number, number]];
        readonly dilation: readonly [number, number];
        readonly groups: number;
    };
    /**
     * `jax.lax.scan`. Inputs: carries, then sequences (sliced along axis 0), then constants.
     * The body's inputs come in that order (one slice per sequence); its outputs are the new
     * carries, then per-step outputs, which the scan stacks along a new axis 0.
     * Output: a tuple of the final carries, then the stacked outputs.
     */
    scan: {
        readonly body: Graph;
        readonly length: number;
        readonly numCarries: number;
        readonly numSequences: number;
        readonly reverse: boolean;
    };
    /**
     * A forward graph with the user's backward graph. `forward` maps the primal inputs to the
     * `numOutputs` outputs followed by residuals; `backward` maps (residuals..., output cotangents...)
     * to one cotangent per primal input. Output: a tuple of the `numOutputs` outputs.
     */
    customVjp: {
        readonly forward: Graph;
        readonly backward: Graph;
        readonly numOutputs: number;
    };
    /** Identity forward; zero gradient. */
    stopGradient: NoAttrs;
    /** Reads output `index` of a tuple-typed node. */
    tupleGet: {
        readonly index: number;
    };
}
export type Primitive = keyof PrimitiveAttrs;
export type LeafOp = 'input' | 'param' | 'state' | 'constant';
export {};
