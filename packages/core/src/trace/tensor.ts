import type { DType } from '../dtype.js';
import { fail } from '../errors.js';
import type { NodeId } from '../graph.js';
import type { BinaryOp, CompareOp, LogicalOp, PrimitiveAttrs, ReduceOp, UnaryOp } from '../primitives.js';
import { formatType, isTupleType, sizeOf, type Shape, type TensorType, type ValueType } from '../types.js';
import type { GraphBuilder, SurrogateChoice, TensorLike } from './builder.js';

export interface ConvOptions<P> {
  readonly stride?: P;
  readonly padding?: number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];
  readonly dilation?: P;
  readonly groups?: number;
}

function pair(x: number | readonly [number, number]): [number, number] {
  return typeof x === 'number' ? [x, x] : [x[0], x[1]];
}

/**
 * A symbolic tensor during tracing: a node of a GraphBuilder with chainable methods. Methods
 * add nodes; nothing is computed until the graph is evaluated or compiled.
 */
export class Tensor {
  constructor(
    readonly builder: GraphBuilder,
    readonly id: NodeId,
  ) {}

  get type(): ValueType {
    return this.builder.typeOf(this.id);
  }

  /** The tensor type; rejects a tuple (read its elements with `get`). */
  get tensorType(): TensorType {
    const t = this.type;
    if (isTupleType(t)) fail('dtype', this.builder.path(), 'this is a tuple; read one element with get(i)', 'a tensor', formatType(t));
    return t;
  }

  get shape(): Shape {
    return this.tensorType.shape;
  }

  get dtype(): DType {
    return this.tensorType.dtype;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Element `index` of a tuple-valued node (scan, customVjp). */
  get(index: number): Tensor {
    return this.builder.op('tupleGet', [this], { index });
  }

  private unary(op: UnaryOp): Tensor {
    return this.builder.op(op, [this], {});
  }

  private binary(op: BinaryOp | CompareOp | LogicalOp, other: TensorLike): Tensor {
    return this.builder.op(op, [this, other], {});
  }

  private reduce(op: ReduceOp, axes: number | readonly number[] | undefined, keepDims: boolean): Tensor {
    const list = axes === undefined ? this.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : [...axes];
    // In-range negative axes are normalized for a canonical graph; out-of-range ones reach the infer rule, which rejects them.
    const normalized = list.map((a) => (a < 0 && a >= -this.rank ? a + this.rank : a)).sort((a, b) => a - b);
    return this.builder.op(op, [this], { axes: normalized, keepDims });
  }

  // Unary math.
  neg(): Tensor {
    return this.unary('neg');
  }
  abs(): Tensor {
    return this.unary('abs');
  }
  sign(): Tensor {
    return this.unary('sign');
  }
  exp(): Tensor {
    return this.unary('exp');
  }
  log(): Tensor {
    return this.unary('log');
  }
  sqrt(): Tensor {
    return this.unary('sqrt');
  }
  rsqrt(): Tensor {
    return this.unary('rsqrt');
  }
  reciprocal(): Tensor {
    return this.unary('reciprocal');
  }
  sin(): Tensor {
    return this.unary('sin');
  }
  cos(): Tensor {
    return this.unary('cos');
  }
  tanh(): Tensor {
    return this.unary('tanh');
  }
  sigmoid(): Tensor {
    return this.unary('sigmoid');
  }
  floor(): Tensor {
    return this.unary('floor');
  }
  ceil(): Tensor {
    return this.unary('ceil');
  }
  round(): Tensor {
    return this.unary('round');
  }
  logicalNot(): Tensor {
    return this.unary('logicalNot');
  }
  /** max(x, 0), with derivative 0 at x = 0 as in PyTorch and JAX (a `maximum` would split the tie). */
  relu(): Tensor {
    return this.builder.where(this.greater(0), this, 0);
  }

  // Binary arithmetic (numpy broadcasting; a number becomes a scalar of this dtype).
  add(o: TensorLike): Tensor {
    return this.binary('add', o);
  }
  sub(o: TensorLike): Tensor {
    return this.binary('sub', o);
  }
  mul(o: TensorLike): Tensor {
    return this.binary('mul', o);
  }
  div(o: TensorLike): Tensor {
    return this.binary('div', o);
  }
  pow(o: TensorLike): Tensor {
    return this.binary('pow', o);
  }
  maximum(o: TensorLike): Tensor {
    return this.binary('maximum', o);
  }
  minimum(o: TensorLike): Tensor {
    return this.binary('minimum', o);
  }

  // Comparisons give bool.
  less(o: TensorLike): Tensor {
    return this.binary('less', o);
  }
  lessEqual(o: TensorLike): Tensor {
    return this.binary('lessEqual', o);
  }
  greater(o: TensorLike): Tensor {
    return this.binary('greater', o);
  }
  greaterEqual(o: TensorLike): Tensor {
    return this.binary('greaterEqual', o);
  }
  equal(o: TensorLike): Tensor {
    return this.binary('equal', o);
  }
  notEqual(o: TensorLike): Tensor {
    return this.binary('notEqual', o);
  }
  logicalAnd(o: TensorLike): Tensor {
    return this.binary('logicalAnd', o);
  }
  logicalOr(o: TensorLike): Tensor {
    return this.binary('logicalOr', o);
  }

  cast(dtype: DType): Tensor {
    return this.builder.op('cast', [this], { dtype });
  }

  /** Heaviside step (1 where x >= 0) whose gradient is the chosen surrogate (default atan, a = 2). */
  spike(surrogate: SurrogateChoice = 'atan'): Tensor {
    return this.builder.op('spike', [this], { surrogate: this.builder.surrogate(surrogate, this.tensorType) });
  }

  stopGradient(): Tensor {
    return this.builder.op('stopGradient', [this], {});
  }

  // Reductions over `axes` (all when omitted; negative axes count from the end).
  sum(axes?: number | readonly number[], keepDims = false): Tensor {
    return this.reduce('sum', axes, keepDims);
  }
  max(axes?: number | readonly number[], keepDims = false): Tensor {
    return this.reduce('max', axes, keepDims);
  }
  mean(axes?: number | readonly number[], keepDims = false): Tensor {
    return this.reduce('mean', axes, keepDims);
  }

  // Shape.
  /** One entry may be -1: it is inferred from the size. */
  reshape(shape: Shape): Tensor {
    const known = shape.filter((d) => d !== -1);
    const holes = shape.length - known.length;
    if (holes > 1) fail('attr', this.builder.path(), 'reshape takes at most one -1', 'one -1', `[${shape.join(', ')}]`);
    const resolved = holes === 0 ? [...shape] : shape.map((d) => (d === -1 ? sizeOf(this.shape) / Math.max(1, sizeOf(known)) : d));
    return this.builder.op('reshape', [this], { shape: resolved });
  }

  /** Permutes axes; reverses them when `perm` is omitted. */
  transpose(perm?: readonly number[]): Tensor {
    return this.builder.op('transpose', [this], { perm: perm ? [...perm] : this.shape.map((_, i) => this.rank - 1 - i) });
  }

  broadcastTo(shape: Shape): Tensor {
    return this.builder.op('broadcast', [this], { shape: [...shape] });
  }

  /**
   * Python-style slicing per leading axis: negative indices count from the end and are clamped.
   * Axes not given are kept whole.
   */
  slice(starts: readonly number[], ends?: readonly (number | undefined)[], steps?: readonly number[]): Tensor {
    const attrs: { starts: number[]; ends: number[]; steps: number[] } = { starts: [], ends: [], steps: [] };
    this.shape.forEach((dim, axis) => {
      const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + dim : i, 0), dim);
      attrs.starts.push(clamp(starts[axis] ?? 0));
      attrs.ends.push(clamp(ends?.[axis] ?? dim));
      attrs.steps.push(steps?.[axis] ?? 1);
    });
    return this.builder.op('slice', [this], attrs);
  }

  /** Pads each axis with [before, after] copies of `value`. */
  pad(pads: readonly (readonly [number, number])[], value = 0): Tensor {
    return this.builder.op('pad', [this], { pads: pads.map((p) => [p[0], p[1]] as const), value });
  }

  gather(indices: Tensor, axis = 0): Tensor {
    return this.builder.op('gather', [this, indices], { axis });
  }

  oneHot(depth: number): Tensor {
    return this.builder.op('oneHot', [this], { depth });
  }

  // Linear algebra.
  matmul(other: Tensor, options: { transposeA?: boolean; transposeB?: boolean } = {}): Tensor {
    return this.builder.op('matmul', [this, other], { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false });
  }

  conv1d(w: Tensor, options: ConvOptions<number> = {}): Tensor {
    const padding = options.padding ?? 0;
    const attrs: PrimitiveAttrs['conv1d'] = {
      stride: options.stride ?? 1,
      padding: typeof padding === 'number' ? [padding, padding] : (padding as readonly [number, number]),
      dilation: options.dilation ?? 1,
      groups: options.groups ?? 1,
    };
    return this.builder.op('conv1d', [this, w], attrs);
  }

  conv2d(w: Tensor, options: ConvOptions<number | readonly [number, number]> = {}): Tensor {
    const padding = options.padding ?? 0;
    const pads: readonly [readonly [number, number], readonly [number, number]] =
      typeof padding === 'number'
        ? [[padding, padding], [padding, padding]]
        : typeof padding[0] === 'number'
          ? [[padding[0], padding[0]], [padding[1] as number, padding[1] as number]]
          : (padding as readonly [readonly [number, number], readonly [number, number]]);
    const attrs: PrimitiveAttrs['conv2d'] = {
      stride: pair(options.stride ?? 1),
      padding: pads,
      dilation: pair(options.dilation ?? 1),
      groups: options.groups ?? 1,
    };
    return this.builder.op('conv2d', [this, w], attrs);
  }
}
