import type { BinaryOp, CompareOp, DType, LogicalOp, Node, Primitive, PrimitiveAttrs, TensorType, UnaryOp } from '@spikeflow/core';
import { RANDOM_OPS, stridesOf } from '@spikeflow/core';
import { broadcastIndex, coordinates, linearIndex } from './indexing.js';
import { wgslLiteral, wgslValueType, type KernelSizes } from './kernel-source.js';

/** What an index rule may call: input k's value at a linear index (of input k's shape). */
export interface IndexContext<P extends Primitive> {
  readonly attrs: PrimitiveAttrs[P];
  readonly inTypes: readonly TensorType[];
  readonly outType: TensorType;
  /** The u32 variable holding this element's linear index. */
  readonly i: string;
  /** Where the rule's extents and strides come from (attribute values stay literals). */
  readonly sizes: KernelSizes;
  input(k: number, index: string): string;
}

/**
 * How a primitive becomes WGSL:
 * - `map`: an elementwise expression of its inputs' values (the fused codegen broadcasts them);
 * - `index`: a function body computing the value at linear index `i` from inputs read at
 *   computed indices (views, padding, gathers, random draws): fusible, no copy;
 * - `kernel`: its own dispatches (matmul, conv, reductions), lowered by its entry in the
 *   compiler's `kernelLowerings` (which the type `KernelOp` makes required);
 * - `leaf`: a buffer (or a literal for a filled constant);
 * - `structural`: handled by the compiler (scan, customVjp, tupleGet).
 */
export type WgslRule<P extends Primitive> =
  | { readonly kind: 'map'; expr(args: readonly string[], attrs: PrimitiveAttrs[P], inTypes: readonly TensorType[], outType: TensorType): string }
  | { readonly kind: 'index'; body(ctx: IndexContext<P>): string }
  | { readonly kind: 'kernel' }
  | { readonly kind: 'leaf' }
  | { readonly kind: 'structural' };

type WgslTable = { readonly [P in Primitive]: WgslRule<P> };

const map = <P extends Primitive>(expr: (a: readonly string[], attrs: PrimitiveAttrs[P], inTypes: readonly TensorType[], outType: TensorType) => string): WgslRule<P> => ({ kind: 'map', expr });
const unary = (f: (a: string, t: DType) => string) => map<UnaryOp>((a, _attrs, inTypes) => f(a[0]!, inTypes[0]!.dtype));
const binary = (f: (a: string, b: string, t: DType) => string) => map<BinaryOp | CompareOp | LogicalOp>((a, _attrs, inTypes) => f(a[0]!, a[1]!, inTypes[0]!.dtype));
const KERNEL = { kind: 'kernel' } as const;
const LEAF = { kind: 'leaf' } as const;
const STRUCTURAL = { kind: 'structural' } as const;

/** Integer division by zero gives 0 (the CPU reference's rule); WGSL alone would give the dividend. */
const divide = (a: string, b: string, t: DType) => (t === 'f32' ? `(${a} / ${b})` : `select(${a} / ${b}, ${wgslLiteral(0, t)}, ${b} == ${wgslLiteral(0, t)})`);

/** Cast with the CPU reference's semantics (integers reinterpret their bits between i32 and u32). */
function castExpr(a: string, from: DType, to: DType): string {
  if (from === to) return a;
  if (to === 'bool') return `(${a} != ${wgslLiteral(0, from)})`;
  if (from === 'bool') return `select(${wgslLiteral(0, to)}, ${wgslLiteral(1, to)}, ${a})`;
  if (from !== 'f32' && to !== 'f32') return `bitcast<${to}>(${a})`;
  return `${wgslValueType(to)}(${a})`;
}

/** The row-major index into input 0 (shape `inShape`) at per-axis coordinates `coords`. */
function indexIn(coords: readonly string[], inShape: readonly number[], sizes: KernelSizes): string {
  return linearIndex(coords, stridesOf(inShape), sizes);
}

const rules = {
  input: LEAF,
  param: LEAF,
  state: LEAF,
  constant: LEAF,

  neg: unary((a) => `(-${a})`),
  abs: unary((a) => `abs(${a})`),
  sign: unary((a) => `sign(${a})`),
  exp: unary((a) => `exp(${a})`),
  log: unary((a) => `log(${a})`),
  sqrt: unary((a) => `sqrt(${a})`),
  rsqrt: unary((a) => `inverseSqrt(${a})`),
  reciprocal: unary((a) => `(1.0 / ${a})`),
  sin: unary((a) => `sin(${a})`),
  cos: unary((a) => `cos(${a})`),
  // tanh through exp overflows to NaN on some drivers for large |x|; tanh(±20) is ±1 in f32.
  tanh: unary((a) => `tanh(clamp(${a}, -20.0, 20.0))`),
  // The stable two-sided form, as the CPU reference.
  sigmoid: unary((a) => `select(exp(${a}) / (1.0 + exp(${a})), 1.0 / (1.0 + exp(-${a})), ${a} >= 0.0)`),
  floor: unary((a) => `floor(${a})`),
  ceil: unary((a) => `ceil(${a})`),
  round: unary((a) => `round(${a})`),
  logicalNot: unary((a) => `(!${a})`),

  add: binary((a, b) => `(${a} + ${b})`),
  sub: binary((a, b) => `(${a} - ${b})`),
  mul: binary((a, b) => `(${a} * ${b})`),
  div: binary(divide),
  pow: binary((a, b) => `pow(${a}, ${b})`),
  maximum: binary((a, b) => `max(${a}, ${b})`),
  minimum: binary((a, b) => `min(${a}, ${b})`),
  less: binary((a, b) => `(${a} < ${b})`),
  lessEqual: binary((a, b) => `(${a} <= ${b})`),
  greater: binary((a, b) => `(${a} > ${b})`),
  greaterEqual: binary((a, b) => `(${a} >= ${b})`),
  equal: binary((a, b) => `(${a} == ${b})`),
  notEqual: binary((a, b) => `(${a} != ${b})`),
  logicalAnd: binary((a, b) => `(${a} && ${b})`),
  logicalOr: binary((a, b) => `(${a} || ${b})`),

  where: map<'where'>((a) => `select(${a[2]}, ${a[1]}, ${a[0]})`),
  cast: map<'cast'>((a, attrs, inTypes) => castExpr(a[0]!, inTypes[0]!.dtype, attrs.dtype)),
  spike: map<'spike'>((a) => `select(0.0, 1.0, ${a[0]} >= 0.0)`),
  stopGradient: map<'stopGradient'>((a) => a[0]!),

  sum: KERNEL,
  max: KERNEL,
  mean: KERNEL,

  // Views: the same element count or a re-indexing of input 0; no data moves.
  reshape: { kind: 'index', body: (c) => `return ${c.input(0, c.i)};` },
  broadcast: { kind: 'index', body: (c) => `return ${c.input(0, broadcastIndex(c.i, c.outType.shape, c.inTypes[0]!.shape, c.sizes))};` },
  transpose: {
    kind: 'index',
    body: (c) => {
      const out = coordinates(c.i, c.outType.shape, c.sizes);
      const inCoords = c.attrs.perm.map((_, k) => out[c.attrs.perm.indexOf(k)]!);
      return `return ${c.input(0, indexIn(inCoords, c.inTypes[0]!.shape, c.sizes))};`;
    },
  },
  slice: {
    kind: 'index',
    body: (c) => {
      const coords = coordinates(c.i, c.outType.shape, c.sizes).map((x, k) => {
        const step = c.attrs.steps[k]!;
        const start = c.attrs.starts[k]!;
        const scaled = step === 1 ? x : `${x} * ${step}u`;
        return start === 0 ? scaled : `(${start}u + ${scaled})`;
      });
      return `return ${c.input(0, indexIn(coords, c.inTypes[0]!.shape, c.sizes))};`;
    },
  },
  pad: {
    kind: 'index',
    body: (c) => {
      const inShape = c.inTypes[0]!.shape;
      const coords = coordinates(c.i, c.outType.shape, c.sizes);
      const lines = coords.map((x, k) => `  let c${k} = i32(${x}) - ${c.attrs.pads[k]![0]};`);
      const inside = coords.map((_, k) => `c${k} >= 0 && c${k} < i32(${c.sizes.of(inShape[k]!)})`).join(' && ') || 'true';
      const inCoords = coords.map((_, k) => `u32(c${k})`);
      return [
        ...lines,
        `  if (${inside}) { return ${c.input(0, indexIn(inCoords, inShape, c.sizes))}; }`,
        `  return ${wgslLiteral(c.attrs.value, c.outType.dtype)};`,
      ].join('\n');
    },
  },
  concat: {
    kind: 'index',
    body: (c) => {
      const axis = c.attrs.axis < 0 ? c.attrs.axis + c.outType.shape.length : c.attrs.axis;
      const coords = coordinates(c.i, c.outType.shape, c.sizes);
      const lines = [`  let a = ${coords[axis]};`];
      let offset = 0;
      c.inTypes.forEach((t, k) => {
        const local = coords.map((x, ax) => (ax === axis ? (offset === 0 ? 'a' : `(a - ${c.sizes.of(offset)})`) : x));
        const read = `return ${c.input(k, indexIn(local, t.shape, c.sizes))};`;
        offset += t.shape[axis]!;
        lines.push(k === c.inTypes.length - 1 ? `  ${read}` : `  if (a < ${c.sizes.of(offset)}) { ${read} }`);
      });
      return lines.join('\n');
    },
  },
  gather: {
    kind: 'index',
    body: (c) => {
      const [x, idx] = c.inTypes as [TensorType, TensorType];
      const axis = c.attrs.axis < 0 ? c.attrs.axis + x.shape.length : c.attrs.axis;
      const out = coordinates(c.i, c.outType.shape, c.sizes);
      const r = idx.shape.length;
      const idxCoords = out.slice(axis, axis + r);
      // Out-of-range indices are an error on the CPU; on the GPU they are clamped so no read strays.
      const pick = `min(u32(max(i32(${c.input(1, indexIn(idxCoords, idx.shape, c.sizes))}), 0)), ${c.sizes.of(x.shape[axis]! - 1)})`;
      const inCoords = [...out.slice(0, axis), 'k', ...out.slice(axis + r)];
      return [`  let k = ${pick};`, `  return ${c.input(0, indexIn(inCoords, x.shape, c.sizes))};`].join('\n');
    },
  },
  oneHot: {
    kind: 'index',
    body: (c) => {
      const depth = c.attrs.depth;
      const idx = c.input(0, `(${c.i} / ${depth}u)`);
      return `return select(0.0, 1.0, i32(${idx}) == i32(${c.i} % ${depth}u));`;
    },
  },

  matmul: KERNEL,
  conv1d: KERNEL,
  conv2d: KERNEL,

  // Random draws: element i of the stream keyed by the seed, at the counter input's value.
  uniform: { kind: 'index', body: (c) => `return rng_uniform(${seedWords(c.attrs.seed)}, ${c.i}, u32(${c.input(0, '0u')}));` },
  normal: { kind: 'index', body: (c) => `return rng_normal(${seedWords(c.attrs.seed)}, ${c.i}, u32(${c.input(0, '0u')}));` },
  bernoulli: {
    kind: 'index',
    body: (c) =>
      `return select(0.0, 1.0, rng_uniform(${seedWords(c.attrs.seed)}, ${c.i}, u32(${c.input(0, '0u')})) < ${c.input(1, broadcastIndex(c.i, c.outType.shape, c.inTypes[1]!.shape, c.sizes))});`,
  },

  scan: STRUCTURAL,
  customVjp: STRUCTURAL,
  tupleGet: STRUCTURAL,
} satisfies WgslTable;

export const wgslRules: WgslTable = rules;

/** The primitives whose rule is `kernel`: each must have a lowering in `kernelLowerings`. */
export type KernelOp = { [P in Primitive]: (typeof rules)[P] extends { readonly kind: 'kernel' } ? P : never }[Primitive];

/** The rule of `op`, typed by it (so its callbacks take that op's attrs). */
export function wgslRule<P extends Primitive>(op: P): WgslRule<P> {
  return wgslRules[op];
}

/** The WGSL value of an elementwise (`map`) node from its inputs' values `args`. */
export function mapExpr<P extends Primitive>(node: Node<P>, args: readonly string[], inTypes: readonly TensorType[], outType: TensorType): string {
  const rule = wgslRule(node.op);
  if (rule.kind !== 'map') throw new Error(`internal: ${node.op} is not elementwise`);
  return rule.expr(args, node.attrs, inTypes, outType);
}

/** The Philox key words of a seed below 2^53: low and high 32 bits. */
function seedWords(seed: number): string {
  return `${seed % 2 ** 32}u, ${Math.floor(seed / 2 ** 32)}u`;
}

/** Whether a primitive's WGSL is fusible into an elementwise kernel. */
export function isFusible(op: Primitive): boolean {
  const kind = wgslRules[op].kind;
  return kind === 'map' || kind === 'index';
}

/** Whether a primitive's rule is `kernel` (it has dispatches of its own). */
export function isKernelOp(op: Primitive): op is KernelOp {
  return wgslRules[op].kind === 'kernel';
}

const RANDOM: ReadonlySet<Primitive> = new Set(RANDOM_OPS);

/** Whether a primitive draws random numbers (its kernel needs the Philox source). */
export function usesRng(op: Primitive): boolean {
  return RANDOM.has(op);
}
