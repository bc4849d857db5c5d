import type { DType, Primitive, PrimitiveAttrs, TensorType } from '@spikeflow/core';
import { call, f32, f32x4, get, i32, i32x4, ifValue, select, set, v128, valueBlock, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { broadcastIndex, coordinates, linearIndex } from './indexing.js';
import type { KernelLibrary } from './kernel-library.js';
import { seedWords } from './philox.js';

/** A tensor element's value: f32 for f32; i32 bits for i32, u32 and bool (0/1). */
export type ValueExpr = Expr<'f32'> | Expr<'i32'>;

export interface MapContext<P extends Primitive> {
  readonly attrs: PrimitiveAttrs[P];
  readonly inTypes: readonly TensorType[];
  readonly outType: TensorType;
  readonly lib: KernelLibrary;
}

export interface IndexContext<P extends Primitive> extends MapContext<P> {
  readonly fn: LocalAllocator;
  /** This element's linear index (a local's value: free to use more than once). */
  readonly index: Expr<'i32'>;
  /** Input k's value at a linear index of input k's shape. */
  input(k: number, index: Expr<'i32'>): ValueExpr;
}

/**
 * How a primitive becomes WebAssembly (as WGSL's `WgslRule` for WebGPU):
 * - `map`: an elementwise value of its operands' values, each operand used once (what needs a
 *   value twice calls a library function); `vector`, where given, is the same for four lanes
 *   (bools as 0/1 lanes) and may decline a dtype by returning undefined;
 * - `index`: the value at a linear index from inputs read at computed indices (views, padding,
 *   gathers, random draws): fusible, no copy;
 * - `kernel`: its own work split (matmul, conv, reductions), lowered by the compiler;
 * - `leaf`: a buffer (or a literal for a filled constant);
 * - `structural`: handled by the compiler (scan, customVjp, tupleGet).
 */
export type WasmRule<P extends Primitive> =
  | {
      readonly kind: 'map';
      scalar(args: readonly ValueExpr[], ctx: MapContext<P>): ValueExpr;
      readonly vector?: (args: readonly Expr<'v128'>[], ctx: MapContext<P>) => Expr<'v128'> | undefined;
    }
  | { readonly kind: 'index'; value(ctx: IndexContext<P>): ValueExpr }
  | { readonly kind: 'kernel' }
  | { readonly kind: 'leaf' }
  | { readonly kind: 'structural' };

type WasmTable = { readonly [P in Primitive]: WasmRule<P> };

export function asF32(e: ValueExpr): Expr<'f32'> {
  if (e.type !== 'f32') throw new Error(`internal: an f32 value was expected, got ${e.type}`);
  return e as Expr<'f32'>;
}

export function asI32(e: ValueExpr): Expr<'i32'> {
  if (e.type !== 'i32') throw new Error(`internal: an i32 value was expected, got ${e.type}`);
  return e as Expr<'i32'>;
}

type Scalar = (args: readonly ValueExpr[], ctx: MapContext<Primitive>) => ValueExpr;
type Vector = (args: readonly Expr<'v128'>[], ctx: MapContext<Primitive>) => Expr<'v128'> | undefined;

const KERNEL = { kind: 'kernel' } as const;
const LEAF = { kind: 'leaf' } as const;
const STRUCTURAL = { kind: 'structural' } as const;

const map = <P extends Primitive>(scalar: Scalar, vector?: Vector): WasmRule<P> => ({ kind: 'map', scalar, ...(vector ? { vector } : {}) });

const dtypeOf = (ctx: MapContext<Primitive>) => ctx.inTypes[0]!.dtype;

/** Per operand dtype: f32, i32 (also bool where it makes sense) and u32 forms; a missing form is a type error upstream. */
interface ByDType<A, R> {
  readonly f32?: (...args: A[]) => R;
  readonly i32?: (...args: A[]) => R;
  readonly u32?: (...args: A[]) => R;
}

function pick<A, R>(forms: ByDType<A, R>, dtype: DType, op: string): ((...args: A[]) => R) | undefined {
  const form = dtype === 'f32' ? forms.f32 : dtype === 'u32' ? (forms.u32 ?? forms.i32) : forms.i32;
  if (form === undefined && dtype === 'f32') throw new Error(`internal: ${op} has no f32 form`);
  return form;
}

/** A unary or binary map rule from per-dtype scalar and vector forms (vector forms optional). */
function arith(op: string, scalar: ByDType<ValueExpr, ValueExpr>, vector: ByDType<Expr<'v128'>, Expr<'v128'>> = {}) {
  return map(
    (args, ctx) => {
      const form = pick(scalar, dtypeOf(ctx), op);
      if (form === undefined) throw new Error(`internal: ${op} has no ${dtypeOf(ctx)} form`);
      return form(...args);
    },
    (args, ctx) => pick(vector, dtypeOf(ctx), op)?.(...args),
  );
}

const f = (g: (...a: Expr<'f32'>[]) => ValueExpr) => (...a: ValueExpr[]) => g(...a.map(asF32));
const n = (g: (...a: Expr<'i32'>[]) => ValueExpr) => (...a: ValueExpr[]) => g(...a.map(asI32));
const libF1 = (name: 'exp' | 'log' | 'sin' | 'cos' | 'tanh' | 'sigmoid') =>
  map((args, ctx) => call(ctx.lib[name], [asF32(args[0]!)]));
const libV1 = (name: 'exp' | 'tanh' | 'sigmoid', vector: 'exp4' | 'tanh4' | 'sigmoid4') =>
  map(
    (args, ctx) => call(ctx.lib[name], [asF32(args[0]!)]),
    (args, ctx) => call(ctx.lib[vector], [args[0]!]),
  );

const ZERO = () => i32.const(0);

/** A map rule whose integer forms call the library (operands needed twice, or CPU semantics wasm lacks). */
function withIntegerLibrary(op: string, float: (a: Expr<'f32'>, b: Expr<'f32'>) => Expr<'f32'>, signed: (lib: KernelLibrary) => Callee2, unsigned: (lib: KernelLibrary) => Callee2, vector: ByDType<Expr<'v128'>, Expr<'v128'>>) {
  return map(
    (args, ctx) => {
      const dtype = dtypeOf(ctx);
      if (dtype === 'f32') return float(asF32(args[0]!), asF32(args[1]!));
      return call((dtype === 'u32' ? unsigned : signed)(ctx.lib), [asI32(args[0]!), asI32(args[1]!)]);
    },
    (args, ctx) => pick(vector, dtypeOf(ctx), op)?.(...args),
  );
}
type Callee2 = KernelLibrary['idiv_s'];
const ONE_F = () => f32x4.splat(f32.const(1));
/** A mask (all ones per true lane) as 0/1 lanes. */
const maskToBool = (mask: Expr<'v128'>) => i32x4.neg(mask);
/** 0/1 lanes as a mask. */
const boolToMask = (b: Expr<'v128'>) => i32x4.neg(b);

function compare(op: string, fs: (a: Expr<'f32'>, b: Expr<'f32'>) => Expr<'i32'>, ss: (a: Expr<'i32'>, b: Expr<'i32'>) => Expr<'i32'>, us: (a: Expr<'i32'>, b: Expr<'i32'>) => Expr<'i32'>, fv: (a: Expr<'v128'>, b: Expr<'v128'>) => Expr<'v128'>, sv: (a: Expr<'v128'>, b: Expr<'v128'>) => Expr<'v128'>, uv: (a: Expr<'v128'>, b: Expr<'v128'>) => Expr<'v128'>) {
  return arith(op, { f32: f(fs), i32: n(ss), u32: n(us) }, { f32: (a, b) => maskToBool(fv(a, b)), i32: (a, b) => maskToBool(sv(a, b)), u32: (a, b) => maskToBool(uv(a, b)) });
}

/** Cast with the CPU reference's semantics: saturating truncation, NaN to 0, bits kept between i32 and u32. */
function castScalar(a: ValueExpr, from: DType, to: DType): ValueExpr {
  if (from === to) return a;
  if (to === 'bool') return from === 'f32' ? f32.ne(asF32(a), f32.const(0)) : i32.ne(asI32(a), ZERO());
  if (to === 'f32') return from === 'u32' ? f32.convert_i32_u(asI32(a)) : f32.convert_i32_s(asI32(a));
  if (from === 'f32') return to === 'u32' ? i32.trunc_sat_f32_u(asF32(a)) : i32.trunc_sat_f32_s(asF32(a));
  return a; // i32, u32 and bool share their bits
}

function castVector(a: Expr<'v128'>, from: DType, to: DType): Expr<'v128'> {
  if (from === to) return a;
  if (to === 'bool') return maskToBool(v128.not(from === 'f32' ? f32x4.eq(a, f32x4.splat(f32.const(0))) : i32x4.eq(a, i32x4.splat(ZERO()))));
  if (to === 'f32') return from === 'u32' ? f32x4.convert_i32x4_u(a) : f32x4.convert_i32x4_s(a);
  if (from === 'f32') return to === 'u32' ? i32x4.trunc_sat_f32x4_u(a) : i32x4.trunc_sat_f32x4_s(a);
  return a;
}

/** Binds `value` to a fresh local; returns the statement and the getter. */
function bind(fn: LocalAllocator, value: Expr<'i32'>, body: Stmt[]): Expr<'i32'> {
  const local: Local<'i32'> = fn.local('i32');
  body.push(set(local, value));
  return get(local);
}

/** A literal of `dtype` as a value. */
export function literal(value: number, dtype: DType): ValueExpr {
  return dtype === 'f32' ? f32.const(value) : i32.const(dtype === 'u32' ? value >>> 0 : value | 0);
}

function rngDraw(kind: 'uniform' | 'normal', c: IndexContext<'uniform' | 'normal' | 'bernoulli'>): Expr<'f32'> {
  const [k0, k1] = seedWords(c.attrs.seed);
  return call(c.lib.rng[kind], [c.index, asI32(c.input(0, ZERO())), i32.const(k0), i32.const(k1)]);
}

const rules = {
  input: LEAF,
  param: LEAF,
  state: LEAF,
  constant: LEAF,

  neg: arith('neg', { f32: f(f32.neg), i32: n((a) => i32.sub(ZERO(), a)) }, { f32: f32x4.neg, i32: i32x4.neg }),
  abs: map(
    ([a], ctx) => (dtypeOf(ctx) === 'f32' ? f32.abs(asF32(a!)) : call(ctx.lib.iabs, [asI32(a!)])),
    ([a], ctx) => (dtypeOf(ctx) === 'f32' ? f32x4.abs(a!) : i32x4.abs(a!)),
  ),
  sign: map(([a], ctx) => (dtypeOf(ctx) === 'f32' ? call(ctx.lib.sign, [asF32(a!)]) : call(ctx.lib.isign, [asI32(a!)]))),
  exp: libV1('exp', 'exp4'),
  log: libF1('log'),
  sqrt: arith('sqrt', { f32: f(f32.sqrt) }, { f32: f32x4.sqrt }),
  rsqrt: arith('rsqrt', { f32: f((a) => f32.div(f32.const(1), f32.sqrt(a))) }, { f32: (a) => f32x4.div(ONE_F(), f32x4.sqrt(a)) }),
  reciprocal: arith('reciprocal', { f32: f((a) => f32.div(f32.const(1), a)) }, { f32: (a) => f32x4.div(ONE_F(), a) }),
  sin: libF1('sin'),
  cos: libF1('cos'),
  tanh: libV1('tanh', 'tanh4'),
  sigmoid: libV1('sigmoid', 'sigmoid4'),
  floor: arith('floor', { f32: f(f32.floor) }, { f32: f32x4.floor }),
  ceil: arith('ceil', { f32: f(f32.ceil) }, { f32: f32x4.ceil }),
  round: arith('round', { f32: f(f32.nearest) }, { f32: f32x4.nearest }),
  logicalNot: arith('logicalNot', { i32: n(i32.eqz) }, { i32: (a) => v128.xor(a, i32x4.splat(i32.const(1))) }),

  add: arith('add', { f32: f(f32.add), i32: n(i32.add) }, { f32: f32x4.add, i32: i32x4.add }),
  sub: arith('sub', { f32: f(f32.sub), i32: n(i32.sub) }, { f32: f32x4.sub, i32: i32x4.sub }),
  mul: arith('mul', { f32: f(f32.mul), i32: n(i32.mul) }, { f32: f32x4.mul, i32: i32x4.mul }),
  // Integer division by zero gives 0, as on the CPU (wasm alone would trap).
  div: withIntegerLibrary('div', f32.div, (lib) => lib.idiv_s, (lib) => lib.idiv_u, { f32: f32x4.div }),
  pow: map((args, ctx) => call(ctx.lib.pow, [asF32(args[0]!), asF32(args[1]!)])),
  maximum: withIntegerLibrary('maximum', f32.max, (lib) => lib.imax_s, (lib) => lib.imax_u, { f32: f32x4.max, i32: i32x4.max_s, u32: i32x4.max_u }),
  minimum: withIntegerLibrary('minimum', f32.min, (lib) => lib.imin_s, (lib) => lib.imin_u, { f32: f32x4.min, i32: i32x4.min_s, u32: i32x4.min_u }),
  less: compare('less', f32.lt, i32.lt_s, i32.lt_u, f32x4.lt, i32x4.lt_s, i32x4.lt_u),
  lessEqual: compare('lessEqual', f32.le, i32.le_s, i32.le_u, f32x4.le, i32x4.le_s, i32x4.le_u),
  greater: compare('greater', f32.gt, i32.gt_s, i32.gt_u, f32x4.gt, i32x4.gt_s, i32x4.gt_u),
  greaterEqual: compare('greaterEqual', f32.ge, i32.ge_s, i32.ge_u, f32x4.ge, i32x4.ge_s, i32x4.ge_u),
  equal: compare('equal', f32.eq, i32.eq, i32.eq, f32x4.eq, i32x4.eq, i32x4.eq),
  notEqual: compare('notEqual', f32.ne, i32.ne, i32.ne, f32x4.ne, i32x4.ne, i32x4.ne),
  logicalAnd: arith('logicalAnd', { i32: n(i32.and) }, { i32: v128.and }),
  logicalOr: arith('logicalOr', { i32: n(i32.or) }, { i32: v128.or }),

  where: map(
    ([c, a, b]) => (a!.type === 'f32' ? select(asF32(a!), asF32(b!), asI32(c!)) : select(asI32(a!), asI32(b!), asI32(c!))),
    ([c, a, b]) => v128.bitselect(a!, b!, boolToMask(c!)),
  ),
  cast: map<'cast'>(
    ([a], ctx) => castScalar(a!, ctx.inTypes[0]!.dtype, (ctx.attrs as PrimitiveAttrs['cast']).dtype),
    ([a], ctx) => castVector(a!, ctx.inTypes[0]!.dtype, (ctx.attrs as PrimitiveAttrs['cast']).dtype),
  ),
  // Heaviside step; NaN >= 0 is false, so NaN does not fire.
  spike: map(
    ([a]) => f32.convert_i32_s(f32.ge(asF32(a!), f32.const(0))),
    ([a]) => v128.and(f32x4.ge(a!, f32x4.splat(f32.const(0))), ONE_F()),
  ),
  stopGradient: map(
    ([a]) => a!,
    ([a]) => a!,
  ),

  sum: KERNEL,
  max: KERNEL,
  mean: KERNEL,

  reshape: { kind: 'index', value: (c) => c.input(0, c.index) },
  broadcast: { kind: 'index', value: (c) => c.input(0, broadcastIndex(c.index, c.outType.shape, c.inTypes[0]!.shape)) },
  transpose: {
    kind: 'index',
    value: (c) => {
      const body: Stmt[] = [];
      const out = coordinates(c.index, c.outType.shape).map((x) => bind(c.fn, x, body));
      const inCoords = c.attrs.perm.map((_, k) => out[c.attrs.perm.indexOf(k)]!);
      return valueBlockOf(body, c.input(0, linearIndex(inCoords, c.inTypes[0]!.shape)));
    },
  },
  slice: {
    kind: 'index',
    value: (c) => {
      const coords = coordinates(c.index, c.outType.shape).map((x, k) => {
        const step = c.attrs.steps[k]!;
        const start = c.attrs.starts[k]!;
        const scaled = step === 1 ? x : i32.mul(x, i32.const(step));
        return start === 0 ? scaled : i32.add(scaled, i32.const(start));
      });
      return c.input(0, linearIndex(coords, c.inTypes[0]!.shape));
    },
  },
  pad: {
    kind: 'index',
    value: (c) => {
      const inShape = c.inTypes[0]!.shape;
      const body: Stmt[] = [];
      // Coordinates relative to the input; a negative one wraps to a large unsigned value.
      const coords = coordinates(c.index, c.outType.shape).map((x, k) => {
        const before = c.attrs.pads[k]![0];
        return bind(c.fn, before === 0 ? x : i32.sub(x, i32.const(before)), body);
      });
      const inside = coords.reduce<Expr<'i32'>>((acc, x, k) => i32.and(acc, i32.lt_u(x, i32.const(inShape[k]!))), i32.const(1));
      const value = c.input(0, linearIndex(coords, inShape));
      const fill = literal(c.attrs.value, c.outType.dtype);
      return valueBlockOf(body, ifValue<ValueExpr['type']>(inside, value as Expr<ValueExpr['type']>, fill as Expr<ValueExpr['type']>) as ValueExpr);
    },
  },
  concat: {
    kind: 'index',
    value: (c) => {
      const axis = c.attrs.axis < 0 ? c.attrs.axis + c.outType.shape.length : c.attrs.axis;
      const body: Stmt[] = [];
      const coords = coordinates(c.index, c.outType.shape).map((x) => bind(c.fn, x, body));
      const a = coords[axis]!;
      let offset = 0;
      const reads = c.inTypes.map((t, k) => {
        const at = offset;
        offset += t.shape[axis]!;
        const local = coords.map((x, ax) => (ax === axis && at !== 0 ? i32.sub(a, i32.const(at)) : x));
        return { end: offset, value: c.input(k, linearIndex(local, t.shape)) };
      });
      // if a < end0 then input 0 else if a < end1 then input 1 … else the last input.
      let value = reads[reads.length - 1]!.value as Expr<ValueExpr['type']>;
      for (let k = reads.length - 2; k >= 0; k--) value = ifValue(i32.lt_s(a, i32.const(reads[k]!.end)), reads[k]!.value as Expr<ValueExpr['type']>, value);
      return valueBlockOf(body, value as ValueExpr);
    },
  },
  gather: {
    kind: 'index',
    value: (c) => {
      const [x, idx] = c.inTypes as [TensorType, TensorType];
      const axis = c.attrs.axis < 0 ? c.attrs.axis + x.shape.length : c.attrs.axis;
      const body: Stmt[] = [];
      const out = coordinates(c.index, c.outType.shape).map((v) => bind(c.fn, v, body));
      const r = idx.shape.length;
      const raw = asI32(c.input(1, linearIndex(out.slice(axis, axis + r), idx.shape)));
      const last = i32.const(x.shape[axis]! - 1);
      // In range: the CPU's element. Out of range (an error on the CPU): clamped, as on WebGPU, so no read strays.
      const k = idx.dtype === 'u32' ? call(c.lib.imin_u, [raw, last]) : call(c.lib.imin_s, [call(c.lib.imax_s, [raw, ZERO()]), last]);
      const picked = bind(c.fn, k, body);
      return valueBlockOf(body, c.input(0, linearIndex([...out.slice(0, axis), picked, ...out.slice(axis + r)], x.shape)));
    },
  },
  oneHot: {
    kind: 'index',
    value: (c) => {
      const depth = i32.const(c.attrs.depth);
      const k = asI32(c.input(0, i32.div_u(c.index, depth)));
      return f32.convert_i32_s(i32.eq(k, i32.rem_u(c.index, depth)));
    },
  },

  matmul: KERNEL,
  conv1d: KERNEL,
  conv2d: KERNEL,

  uniform: { kind: 'index', value: (c) => rngDraw('uniform', c) },
  normal: { kind: 'index', value: (c) => rngDraw('normal', c) },
  bernoulli: {
    kind: 'index',
    value: (c) => {
      const p = asF32(c.input(1, broadcastIndex(c.index, c.outType.shape, c.inTypes[1]!.shape)));
      return f32.convert_i32_s(f32.lt(rngDraw('uniform', c), p));
    },
  },

  scan: STRUCTURAL,
  customVjp: STRUCTURAL,
  tupleGet: STRUCTURAL,
} satisfies WasmTable;

function valueBlockOf(body: readonly Stmt[], value: ValueExpr): ValueExpr {
  return body.length === 0 ? value : (valueBlock(body, value as Expr<ValueExpr['type']>) as ValueExpr);
}

export const wasmRules: WasmTable = rules;

/** The primitives whose rule is `kernel`: each needs a lowering of its own in the compiler. */
export type WasmKernelOp = { [P in Primitive]: (typeof rules)[P] extends { readonly kind: 'kernel' } ? P : never }[Primitive];

/** The rule of `op`, typed by it. */
export function wasmRule<P extends Primitive>(op: P): WasmRule<P> {
  return wasmRules[op];
}

/** Whether a primitive is computed inside an elementwise kernel (`map` and `index` rules). */
export function isWasmFusible(op: Primitive): boolean {
  const kind = wasmRules[op].kind;
  return kind === 'map' || kind === 'index';
}

/** Whether a primitive's rule is `kernel`. */
export function isWasmKernelOp(op: Primitive): op is WasmKernelOp {
  return wasmRules[op].kind === 'kernel';
}
