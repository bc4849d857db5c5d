import {
  COMPARE_OPS,
  LOGICAL_OPS,
  type BinaryOp,
  type CompareOp,
  type GraphBuilder,
  type LogicalOp,
  type Primitive,
  type Tensor,
  type UnaryOp,
} from '@spikeflow/core';
import { unbroadcast } from '../unbroadcast.js';
import { NON_DIFFERENTIABLE, type VjpArgs, type VjpRule, type VjpTable } from '../vjp-types.js';

/**
 * VJPs of the elementwise primitives. Rules reuse the replayed output where the derivative is a
 * function of it (exp, sqrt, rsqrt, reciprocal, tanh, sigmoid, div), so no value is computed twice.
 *
 * One convention for zero gradients: every op whose derivative is zero wherever it exists
 * (piecewise constant: sign, floor, ceil, round; comparisons and logic, whose outputs are bool;
 * stopGradient, by definition) is NON_DIFFERENTIABLE. The driver then emits no nodes for it,
 * which gives the same result as a rule returning a zero cotangent, for free.
 */

type ElementwiseVjpOp = UnaryOp | BinaryOp | CompareOp | LogicalOp | 'where' | 'cast' | 'stopGradient';

/** 1 - t, without an extra neg node. */
function oneMinus(b: GraphBuilder, t: Tensor): Tensor {
  return b.op('sub', [1, t], {});
}

/** A unary rule from the local derivative dy/dx, given the primal input x and output y. */
function unary<P extends UnaryOp>(derivative: (b: GraphBuilder, x: Tensor, y: Tensor) => Tensor): VjpRule<P> {
  return ({ b, inputs, output, cotangent }) => [cotangent.mul(derivative(b, inputs[0]!, output))];
}

/**
 * A binary rule: `partials` gives each operand's cotangent at the broadcast output shape, lazily,
 * so only operands in `needs` cost nodes; each is then summed back to its operand's shape.
 */
function binary<P extends BinaryOp>(partials: (args: VjpArgs<P>, a: Tensor, b: Tensor) => readonly [() => Tensor, () => Tensor]): VjpRule<P> {
  return (args) => {
    const [a, b] = args.inputs as [Tensor, Tensor];
    return partials(args, a, b).map((partial, i) => (args.needs[i] ? unbroadcast(partial(), args.inputs[i]!.shape) : undefined));
  };
}

/**
 * maximum/minimum: the cotangent goes to the selected operand. On a tie each operand gets half,
 * as in JAX's lax.max and PyTorch's maximum, and as the `max` reduction splits ties evenly.
 * Consequence: relu(x) = maximum(x, 0) has derivative 1/2 at exactly x = 0 (jax.nn.relu and
 * torch.relu pick 0 there; a user who needs that writes where(x > 0, x, 0)).
 */
function select<P extends 'maximum' | 'minimum'>(wins: 'greater' | 'less'): VjpRule<P> {
  return binary<P>(({ b: g, cotangent }, a, b) => {
    // The share of operand a, built once even when both operands need it.
    let share: Tensor | undefined;
    const shareA = () => (share ??= g.where(a.equal(b), 0.5, g.where(a[wins](b), 1, 0)));
    return [() => cotangent.mul(shareA()), () => cotangent.mul(oneMinus(g, shareA()))];
  });
}

function nonDifferentiable<K extends Primitive>(ops: readonly K[]): VjpTable<K> {
  return Object.fromEntries(ops.map((op) => [op, NON_DIFFERENTIABLE])) as VjpTable<K>;
}

export const elementwiseVjp: VjpTable<ElementwiseVjpOp> = {
  neg: ({ cotangent }) => [cotangent.neg()],
  // sign(0) = 0: the zero subgradient at the kink, as JAX and PyTorch.
  abs: unary((_, x) => x.sign()),
  exp: unary((_, _x, y) => y),
  log: ({ inputs, cotangent }) => [cotangent.div(inputs[0]!)],
  // d sqrt(x) = 1 / (2 sqrt(x))
  sqrt: ({ output, cotangent }) => [cotangent.div(output.mul(2))],
  // d x^(-1/2) = -x^(-3/2) / 2 = -y³/2
  rsqrt: unary((_, _x, y) => y.mul(y).mul(y).mul(-0.5)),
  // d (1/x) = -1/x² = -y²
  reciprocal: unary((_, _x, y) => y.mul(y).neg()),
  sin: unary((_, x) => x.cos()),
  cos: unary((_, x) => x.sin().neg()),
  tanh: unary((b, _x, y) => oneMinus(b, y.mul(y))),
  sigmoid: unary((b, _x, y) => y.mul(oneMinus(b, y))),
  // Piecewise constant: derivative 0 almost everywhere.
  sign: NON_DIFFERENTIABLE,
  floor: NON_DIFFERENTIABLE,
  ceil: NON_DIFFERENTIABLE,
  round: NON_DIFFERENTIABLE,
  logicalNot: NON_DIFFERENTIABLE,

  add: binary(({ cotangent }) => [() => cotangent, () => cotangent]),
  sub: binary(({ cotangent }) => [() => cotangent, () => cotangent.neg()]),
  mul: binary(({ cotangent }, a, b) => [() => cotangent.mul(b), () => cotangent.mul(a)]),
  // d(a/b)/db = -a/b² = -y/b
  div: binary(({ cotangent, output }, _a, b) => [() => cotangent.div(b), () => cotangent.mul(output).div(b).neg()]),
  /**
   * y = a^b. d/da = b·a^(b-1), taken as 0 where b = 0 (y = 1 is constant in a; at a = 0 the
   * formula would give 0·inf = NaN). d/db = y·ln(a), taken as 0 at a = 0 (for b > 0, 0^b is
   * constantly 0; ln is fed 1 there so no -inf appears). For a < 0, ln(a) is NaN and so is
   * d/db: a^b is real only at integer b there, where it has no derivative in b.
   */
  pow: binary(({ b: g, cotangent, output }, a, b) => [
    () => cotangent.mul(g.where(b.equal(0), 0, b.mul(a.pow(b.sub(1))))),
    () => cotangent.mul(output.mul(g.where(a.equal(0), 1, a).log())),
  ]),
  maximum: select('greater'),
  minimum: select('less'),

  ...nonDifferentiable(COMPARE_OPS),
  ...nonDifferentiable(LOGICAL_OPS),

  // The bool condition gets nothing; each branch gets the cotangent where it was chosen.
  where: ({ b, inputs, cotangent, needs }) => {
    const [cond, x, y] = inputs as [Tensor, Tensor, Tensor];
    return [
      undefined,
      needs[1] ? unbroadcast(b.where(cond, cotangent, 0), x.shape) : undefined,
      needs[2] ? unbroadcast(b.where(cond, 0, cotangent), y.shape) : undefined,
    ];
  },
  // Only f32 -> f32 is the identity; integer and bool values carry no gradient either way
  // (the driver asks only for f32 inputs, so checking the target suffices).
  cast: ({ attrs, cotangent }) => [attrs.dtype === 'f32' ? cotangent : undefined],
  // The point of the op: identity forward, no gradient (detach).
  stopGradient: NON_DIFFERENTIABLE,
};
