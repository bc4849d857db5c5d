import type { Graph } from './graph.js';
/**
 * Surrogate derivatives for `spike`, with SpikingJelly/snnTorch defaults. Each takes x already
 * centred on the threshold; `alpha` is the family's one parameter (a, k or gamma in the papers).
 */
export declare const SURROGATE_DEFAULTS: {
    readonly sigmoid: 4;
    readonly atan: 2;
    readonly fastSigmoid: 25;
    readonly triangle: 0.3;
    readonly erf: 2;
    readonly piecewiseExp: 1;
    readonly softSign: 2;
    readonly straightThrough: 1;
};
export type SurrogateName = keyof typeof SURROGATE_DEFAULTS;
export declare const SURROGATE_NAMES: SurrogateName[];
export type Surrogate = {
    readonly kind: SurrogateName;
    readonly alpha: number;
}
/** A user's derivative g'(x): a graph with one f32 input x and one output of x's shape. */
 | {
    readonly kind: 'custom';
    readonly derivative: Graph;
};
export declare function surrogate(kind: SurrogateName, alpha?: number): Surrogate;
