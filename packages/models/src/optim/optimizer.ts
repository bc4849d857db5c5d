import { fail, type DType, type GraphBuilder, type Initializer, type Shape, type Tensor } from '@spikeflow/core';

/**
 * An optimizer written as graph ops, so that the forward pass, the backward pass and the update
 * of a training step form one graph (one GPU submission). Its per-param state ("slots") lives in
 * the training graph as state leaves, on the device, updated in place.
 */

/** A trained param, as an optimizer sees it when it declares the state it needs. */
export interface ParamInfo {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** One per-param state, of the param's shape; the training graph names it `<param>/<name>`. */
export interface SlotSpec {
  readonly name: string;
  readonly init: Initializer;
}

export interface UpdateArgs {
  readonly param: Tensor;
  readonly grad: Tensor;
  /** The slots' current values, in the order `slots()` declared them. */
  readonly slots: readonly Tensor[];
  /** The count t of this update (f32 scalar): 1 on the first call after a reset. */
  readonly step: Tensor;
  /** The learning rate (f32 scalar), fed per call so that a schedule needs no recompilation. */
  readonly lr: Tensor;
}

export interface UpdateResult {
  readonly param: Tensor;
  /** The slots' next values, in declaration order. */
  readonly slots: readonly Tensor[];
}

export interface Optimizer {
  readonly name: string;
  slots(param: ParamInfo): readonly SlotSpec[];
  update(b: GraphBuilder, args: UpdateArgs): UpdateResult;
}

/** PyTorch's coupled (L2) weight decay: the gradient becomes g + wd*p. */
export function withWeightDecay(grad: Tensor, param: Tensor, weightDecay: number): Tensor {
  return weightDecay === 0 ? grad : grad.add(param.mul(weightDecay));
}

/** Rejects a hyperparameter outside [low, high) (or [low, high] when `closed`), naming it. */
export function expectHyperparameter(where: string, value: number, low: number, high: number, closed = false): void {
  const ok = Number.isFinite(value) && value >= low && (closed ? value <= high : value < high);
  if (!ok) fail('attr', where, 'optimizer hyperparameter out of range', `a number in [${low}, ${high}${closed ? ']' : ')'}`, String(value));
}

/**
 * Rejects a divisor guard (Adam's eps) unless it stays above 0 in float32, naming it: with 0, a
 * param whose gradients are all zero divides 0 by 0 and turns NaN.
 */
export function expectPositiveGuard(where: string, value: number): void {
  if (!Number.isFinite(value) || !(Math.fround(value) > 0)) fail('attr', where, 'must be > 0 (in float32): with 0, a zero gradient makes the update 0 / 0 = NaN', 'a finite number > 0, at least 1.4e-45', String(value));
}
