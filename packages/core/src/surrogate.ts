/**
 * Surrogate derivatives for `spike`, with SpikingJelly/snnTorch defaults. Each takes x already
 * centred on the threshold; `alpha` is the family's one parameter (a, k or gamma in the papers).
 */
export const SURROGATE_DEFAULTS = {
  sigmoid: 4,
  atan: 2,
  fastSigmoid: 25,
  triangle: 0.3,
  erf: 2,
  piecewiseExp: 1,
  softSign: 2,
  straightThrough: 1,
} as const;

export type SurrogateName = keyof typeof SURROGATE_DEFAULTS;

export const SURROGATE_NAMES = Object.keys(SURROGATE_DEFAULTS) as SurrogateName[];

/** A named surrogate family with its parameter; `Surrogate` (in graph.ts) adds the user's own. */
export interface NamedSurrogate {
  readonly kind: SurrogateName;
  readonly alpha: number;
}

export function surrogate(kind: SurrogateName, alpha?: number): NamedSurrogate {
  return { kind, alpha: alpha ?? SURROGATE_DEFAULTS[kind] };
}
