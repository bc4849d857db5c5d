// The instruction set a kernel generator may use, as typed expression and statement factories.
// Opcodes are those of the WebAssembly core spec (2.0) and its fixed-width SIMD proposal
// (merged into 2.0); relaxed SIMD (fused multiply-add) is deliberately absent: not every engine has it.
import type { ByteWriter } from './bytes.js';
import { Label, VAL_TYPE_CODE, type Args, type Callee, type Expr, type LabelScope, type Local, type MemArg, type Stmt, type ValType } from './types.js';

const SIMD_PREFIX = 0xfd;
/** The prefix of the saturating float-to-int truncations. */
const MISC_PREFIX = 0xfc;

type Operands = readonly (Expr<ValType>)[];

function expr<T extends ValType>(type: T, operands: Operands, emit: (out: ByteWriter) => void): Expr<T> {
  return {
    type,
    write(out, scope) {
      for (const operand of operands) operand.write(out, scope);
      emit(out);
    },
  };
}

function stmt(write: (out: ByteWriter, scope: LabelScope) => void): Stmt {
  return { stmt: true, write };
}

const op = (code: number) => (out: ByteWriter) => void out.byte(code);
const simdOp = (code: number) => (out: ByteWriter) => void out.byte(SIMD_PREFIX).u32(code);
const miscOp = (code: number) => (out: ByteWriter) => void out.byte(MISC_PREFIX).u32(code);

function memArg(access: string, naturalBytes: number, arg: MemArg | undefined): (out: ByteWriter) => void {
  const align = arg?.align ?? naturalBytes;
  const offset = arg?.offset ?? 0;
  if (!Number.isInteger(align) || align <= 0 || (align & (align - 1)) !== 0 || align > naturalBytes) {
    throw new RangeError(`${access}: align ${align} is not a power of two at most ${naturalBytes}`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff) throw new RangeError(`${access}: offset ${offset} is not a u32`);
  return (out) => void out.u32(Math.log2(align)).u32(offset);
}

function load<T extends ValType>(type: T, name: string, prefix: number | undefined, code: number, bytes: number) {
  return (address: Expr<'i32'>, arg?: MemArg): Expr<T> => {
    const m = memArg(name, bytes, arg);
    return expr(type, [address], (out) => {
      if (prefix === undefined) out.byte(code);
      else out.byte(prefix).u32(code);
      m(out);
    });
  };
}

function store<T extends ValType>(name: string, prefix: number | undefined, code: number, bytes: number) {
  return (address: Expr<'i32'>, value: Expr<T>, arg?: MemArg): Stmt => {
    const m = memArg(name, bytes, arg);
    return stmt((out, scope) => {
      address.write(out, scope);
      value.write(out, scope);
      if (prefix === undefined) out.byte(code);
      else out.byte(prefix).u32(code);
      m(out);
    });
  };
}

const binary = <A extends ValType, R extends ValType>(result: R, emit: (out: ByteWriter) => void) =>
  (a: Expr<A>, b: Expr<A>): Expr<R> => expr(result, [a, b], emit);
const unary = <A extends ValType, R extends ValType>(result: R, emit: (out: ByteWriter) => void) =>
  (a: Expr<A>): Expr<R> => expr(result, [a], emit);

function laneIndex(lane: number, lanes: number): number {
  if (!Number.isInteger(lane) || lane < 0 || lane >= lanes) throw new RangeError(`lane ${lane} is not in 0..${lanes - 1}`);
  return lane;
}

export const i32 = {
  const: (value: number): Expr<'i32'> => expr('i32', [], (out) => void out.byte(0x41).i32(value)),
  load: load('i32', 'i32.load', undefined, 0x28, 4),
  store: store<'i32'>('i32.store', undefined, 0x36, 4),
  eqz: unary<'i32', 'i32'>('i32', op(0x45)),
  eq: binary<'i32', 'i32'>('i32', op(0x46)),
  ne: binary<'i32', 'i32'>('i32', op(0x47)),
  lt_s: binary<'i32', 'i32'>('i32', op(0x48)),
  lt_u: binary<'i32', 'i32'>('i32', op(0x49)),
  gt_s: binary<'i32', 'i32'>('i32', op(0x4a)),
  gt_u: binary<'i32', 'i32'>('i32', op(0x4b)),
  le_s: binary<'i32', 'i32'>('i32', op(0x4c)),
  le_u: binary<'i32', 'i32'>('i32', op(0x4d)),
  ge_s: binary<'i32', 'i32'>('i32', op(0x4e)),
  ge_u: binary<'i32', 'i32'>('i32', op(0x4f)),
  add: binary<'i32', 'i32'>('i32', op(0x6a)),
  sub: binary<'i32', 'i32'>('i32', op(0x6b)),
  mul: binary<'i32', 'i32'>('i32', op(0x6c)),
  div_s: binary<'i32', 'i32'>('i32', op(0x6d)),
  div_u: binary<'i32', 'i32'>('i32', op(0x6e)),
  rem_s: binary<'i32', 'i32'>('i32', op(0x6f)),
  rem_u: binary<'i32', 'i32'>('i32', op(0x70)),
  and: binary<'i32', 'i32'>('i32', op(0x71)),
  or: binary<'i32', 'i32'>('i32', op(0x72)),
  xor: binary<'i32', 'i32'>('i32', op(0x73)),
  shl: binary<'i32', 'i32'>('i32', op(0x74)),
  shr_s: binary<'i32', 'i32'>('i32', op(0x75)),
  shr_u: binary<'i32', 'i32'>('i32', op(0x76)),
  clz: unary<'i32', 'i32'>('i32', op(0x67)),
  ctz: unary<'i32', 'i32'>('i32', op(0x68)),
  popcnt: unary<'i32', 'i32'>('i32', op(0x69)),
  rotl: binary<'i32', 'i32'>('i32', op(0x77)),
  rotr: binary<'i32', 'i32'>('i32', op(0x78)),
  /** Traps on NaN or out of range; see `trunc_sat_f32_s`. */
  trunc_f32_s: unary<'f32', 'i32'>('i32', op(0xa8)),
  trunc_f32_u: unary<'f32', 'i32'>('i32', op(0xa9)),
  /** Toward zero, saturating at the i32 range; NaN gives 0. */
  trunc_sat_f32_s: unary<'f32', 'i32'>('i32', miscOp(0x00)),
  /** Toward zero, saturating at the u32 range; NaN and negatives give 0. */
  trunc_sat_f32_u: unary<'f32', 'i32'>('i32', miscOp(0x01)),
  wrap_i64: unary<'i64', 'i32'>('i32', op(0xa7)),
  reinterpret_f32: unary<'f32', 'i32'>('i32', op(0xbc)),
};

/** i64: just what 32 × 32 → 64-bit products need. */
export const i64 = {
  const: (value: bigint): Expr<'i64'> => expr('i64', [], (out) => void out.byte(0x42).i64(value)),
  mul: binary<'i64', 'i64'>('i64', op(0x7e)),
  shr_u: binary<'i64', 'i64'>('i64', op(0x88)),
  extend_i32_u: unary<'i32', 'i64'>('i64', op(0xad)),
  extend_i32_s: unary<'i32', 'i64'>('i64', op(0xac)),
  shl: binary<'i64', 'i64'>('i64', op(0x86)),
  and: binary<'i64', 'i64'>('i64', op(0x83)),
  or: binary<'i64', 'i64'>('i64', op(0x84)),
  add: binary<'i64', 'i64'>('i64', op(0x7c)),
  sub: binary<'i64', 'i64'>('i64', op(0x7d)),
  reinterpret_f64: unary<'f64', 'i64'>('i64', op(0xbd)),
};

export const f32 = {
  const: (value: number): Expr<'f32'> => expr('f32', [], (out) => void out.byte(0x43).f32(value)),
  load: load('f32', 'f32.load', undefined, 0x2a, 4),
  store: store<'f32'>('f32.store', undefined, 0x38, 4),
  eq: binary<'f32', 'i32'>('i32', op(0x5b)),
  ne: binary<'f32', 'i32'>('i32', op(0x5c)),
  lt: binary<'f32', 'i32'>('i32', op(0x5d)),
  gt: binary<'f32', 'i32'>('i32', op(0x5e)),
  le: binary<'f32', 'i32'>('i32', op(0x5f)),
  ge: binary<'f32', 'i32'>('i32', op(0x60)),
  abs: unary<'f32', 'f32'>('f32', op(0x8b)),
  neg: unary<'f32', 'f32'>('f32', op(0x8c)),
  ceil: unary<'f32', 'f32'>('f32', op(0x8d)),
  floor: unary<'f32', 'f32'>('f32', op(0x8e)),
  trunc: unary<'f32', 'f32'>('f32', op(0x8f)),
  /** Round half to even. */
  nearest: unary<'f32', 'f32'>('f32', op(0x90)),
  sqrt: unary<'f32', 'f32'>('f32', op(0x91)),
  add: binary<'f32', 'f32'>('f32', op(0x92)),
  sub: binary<'f32', 'f32'>('f32', op(0x93)),
  mul: binary<'f32', 'f32'>('f32', op(0x94)),
  div: binary<'f32', 'f32'>('f32', op(0x95)),
  min: binary<'f32', 'f32'>('f32', op(0x96)),
  max: binary<'f32', 'f32'>('f32', op(0x97)),
  /** |a| with b's sign. */
  copysign: binary<'f32', 'f32'>('f32', op(0x98)),
  convert_i32_s: unary<'i32', 'f32'>('f32', op(0xb2)),
  convert_i32_u: unary<'i32', 'f32'>('f32', op(0xb3)),
  reinterpret_i32: unary<'i32', 'f32'>('f32', op(0xbe)),
  demote_f64: unary<'f64', 'f32'>('f32', op(0xb6)),
};

/** f64: the arithmetic of a helper that needs more than f32's precision internally. */
export const f64 = {
  const: (value: number): Expr<'f64'> => expr('f64', [], (out) => void out.byte(0x44).f64(value)),
  eq: binary<'f64', 'i32'>('i32', op(0x61)),
  lt: binary<'f64', 'i32'>('i32', op(0x63)),
  gt: binary<'f64', 'i32'>('i32', op(0x64)),
  abs: unary<'f64', 'f64'>('f64', op(0x99)),
  neg: unary<'f64', 'f64'>('f64', op(0x9a)),
  floor: unary<'f64', 'f64'>('f64', op(0x9c)),
  nearest: unary<'f64', 'f64'>('f64', op(0x9e)),
  add: binary<'f64', 'f64'>('f64', op(0xa0)),
  sub: binary<'f64', 'f64'>('f64', op(0xa1)),
  mul: binary<'f64', 'f64'>('f64', op(0xa2)),
  div: binary<'f64', 'f64'>('f64', op(0xa3)),
  min: binary<'f64', 'f64'>('f64', op(0xa4)),
  max: binary<'f64', 'f64'>('f64', op(0xa5)),
  convert_i32_s: unary<'i32', 'f64'>('f64', op(0xb7)),
  promote_f32: unary<'f32', 'f64'>('f64', op(0xbb)),
  reinterpret_i64: unary<'i64', 'f64'>('f64', op(0xbf)),
};

export const v128 = {
  load: load('v128', 'v128.load', SIMD_PREFIX, 0x00, 16),
  /** One 32-bit value from memory in all four lanes. */
  load32_splat: load('v128', 'v128.load32_splat', SIMD_PREFIX, 0x09, 4),
  store: store<'v128'>('v128.store', SIMD_PREFIX, 0x0b, 16),
  /** A constant from four i32 lanes. */
  const_i32x4: (lanes: readonly [number, number, number, number]): Expr<'v128'> =>
    expr('v128', [], (out) => {
      out.byte(SIMD_PREFIX).u32(0x0c);
      const view = new DataView(new ArrayBuffer(16));
      lanes.forEach((lane, k) => view.setInt32(4 * k, lane, true));
      out.bytes(new Uint8Array(view.buffer));
    }),
  not: unary<'v128', 'v128'>('v128', simdOp(0x4d)),
  and: binary<'v128', 'v128'>('v128', simdOp(0x4e)),
  /** a & ~b. */
  andnot: binary<'v128', 'v128'>('v128', simdOp(0x4f)),
  or: binary<'v128', 'v128'>('v128', simdOp(0x50)),
  xor: binary<'v128', 'v128'>('v128', simdOp(0x51)),
  /** Bits of `a` where `mask` is 1, of `b` where it is 0. */
  bitselect: (a: Expr<'v128'>, b: Expr<'v128'>, mask: Expr<'v128'>): Expr<'v128'> => expr('v128', [a, b, mask], simdOp(0x52)),
  /** 1 if any bit is set. */
  any_true: unary<'v128', 'i32'>('i32', simdOp(0x53)),
};

export const f32x4 = {
  splat: unary<'f32', 'v128'>('v128', simdOp(0x13)),
  extract_lane: (v: Expr<'v128'>, lane: number): Expr<'f32'> => {
    const k = laneIndex(lane, 4);
    return expr('f32', [v], (out) => void out.byte(SIMD_PREFIX).u32(0x1f).byte(k));
  },
  replace_lane: (v: Expr<'v128'>, lane: number, value: Expr<'f32'>): Expr<'v128'> => {
    const k = laneIndex(lane, 4);
    return expr('v128', [v, value], (out) => void out.byte(SIMD_PREFIX).u32(0x20).byte(k));
  },
  // Comparisons give lanes of all ones (true) or zeros.
  eq: binary<'v128', 'v128'>('v128', simdOp(0x41)),
  ne: binary<'v128', 'v128'>('v128', simdOp(0x42)),
  lt: binary<'v128', 'v128'>('v128', simdOp(0x43)),
  gt: binary<'v128', 'v128'>('v128', simdOp(0x44)),
  le: binary<'v128', 'v128'>('v128', simdOp(0x45)),
  ge: binary<'v128', 'v128'>('v128', simdOp(0x46)),
  ceil: unary<'v128', 'v128'>('v128', simdOp(0x67)),
  floor: unary<'v128', 'v128'>('v128', simdOp(0x68)),
  trunc: unary<'v128', 'v128'>('v128', simdOp(0x69)),
  nearest: unary<'v128', 'v128'>('v128', simdOp(0x6a)),
  abs: unary<'v128', 'v128'>('v128', simdOp(0xe0)),
  neg: unary<'v128', 'v128'>('v128', simdOp(0xe1)),
  sqrt: unary<'v128', 'v128'>('v128', simdOp(0xe3)),
  add: binary<'v128', 'v128'>('v128', simdOp(0xe4)),
  sub: binary<'v128', 'v128'>('v128', simdOp(0xe5)),
  mul: binary<'v128', 'v128'>('v128', simdOp(0xe6)),
  div: binary<'v128', 'v128'>('v128', simdOp(0xe7)),
  min: binary<'v128', 'v128'>('v128', simdOp(0xe8)),
  max: binary<'v128', 'v128'>('v128', simdOp(0xe9)),
  convert_i32x4_s: unary<'v128', 'v128'>('v128', simdOp(0xfa)),
  convert_i32x4_u: unary<'v128', 'v128'>('v128', simdOp(0xfb)),
};

export const i32x4 = {
  splat: unary<'i32', 'v128'>('v128', simdOp(0x11)),
  extract_lane: (v: Expr<'v128'>, lane: number): Expr<'i32'> => {
    const k = laneIndex(lane, 4);
    return expr('i32', [v], (out) => void out.byte(SIMD_PREFIX).u32(0x1b).byte(k));
  },
  replace_lane: (v: Expr<'v128'>, lane: number, value: Expr<'i32'>): Expr<'v128'> => {
    const k = laneIndex(lane, 4);
    return expr('v128', [v, value], (out) => void out.byte(SIMD_PREFIX).u32(0x1c).byte(k));
  },
  // Comparisons give lanes of all ones (true) or zeros.
  eq: binary<'v128', 'v128'>('v128', simdOp(0x37)),
  ne: binary<'v128', 'v128'>('v128', simdOp(0x38)),
  lt_s: binary<'v128', 'v128'>('v128', simdOp(0x39)),
  lt_u: binary<'v128', 'v128'>('v128', simdOp(0x3a)),
  gt_s: binary<'v128', 'v128'>('v128', simdOp(0x3b)),
  gt_u: binary<'v128', 'v128'>('v128', simdOp(0x3c)),
  le_s: binary<'v128', 'v128'>('v128', simdOp(0x3d)),
  le_u: binary<'v128', 'v128'>('v128', simdOp(0x3e)),
  ge_s: binary<'v128', 'v128'>('v128', simdOp(0x3f)),
  ge_u: binary<'v128', 'v128'>('v128', simdOp(0x40)),
  abs: unary<'v128', 'v128'>('v128', simdOp(0xa0)),
  neg: unary<'v128', 'v128'>('v128', simdOp(0xa1)),
  all_true: unary<'v128', 'i32'>('i32', simdOp(0xa3)),
  /** Shift counts are taken modulo 32. */
  shl: (v: Expr<'v128'>, count: Expr<'i32'>): Expr<'v128'> => expr('v128', [v, count], simdOp(0xab)),
  shr_s: (v: Expr<'v128'>, count: Expr<'i32'>): Expr<'v128'> => expr('v128', [v, count], simdOp(0xac)),
  shr_u: (v: Expr<'v128'>, count: Expr<'i32'>): Expr<'v128'> => expr('v128', [v, count], simdOp(0xad)),
  add: binary<'v128', 'v128'>('v128', simdOp(0xae)),
  sub: binary<'v128', 'v128'>('v128', simdOp(0xb1)),
  mul: binary<'v128', 'v128'>('v128', simdOp(0xb5)),
  min_s: binary<'v128', 'v128'>('v128', simdOp(0xb6)),
  min_u: binary<'v128', 'v128'>('v128', simdOp(0xb7)),
  max_s: binary<'v128', 'v128'>('v128', simdOp(0xb8)),
  max_u: binary<'v128', 'v128'>('v128', simdOp(0xb9)),
  /** Toward zero, saturating; NaN gives 0. */
  trunc_sat_f32x4_s: unary<'v128', 'v128'>('v128', simdOp(0xf8)),
  trunc_sat_f32x4_u: unary<'v128', 'v128'>('v128', simdOp(0xf9)),
};

// --- locals, stack and control ---------------------------------------------------------------------

export const get = <T extends ValType>(local: Local<T>): Expr<T> => expr(local.type, [], (out) => void out.byte(0x20).u32(local.index));

export const set = <T extends ValType>(local: Local<T>, value: Expr<T>): Stmt =>
  stmt((out, scope) => {
    value.write(out, scope);
    out.byte(0x21).u32(local.index);
  });

/** Sets the local and leaves the value on the stack. */
export const tee = <T extends ValType>(local: Local<T>, value: Expr<T>): Expr<T> => expr(local.type, [value], (out) => void out.byte(0x22).u32(local.index));

/** `condition ? a : b`, both evaluated. */
export const select = <T extends 'i32' | 'i64' | 'f32' | 'f64'>(a: Expr<T>, b: Expr<T>, condition: Expr<'i32'>): Expr<T> => expr(a.type, [a, b, condition], op(0x1b));

/** A call of a function of the module; the operands are checked against its parameter types. */
export function call<A extends readonly ValType[], R extends ValType>(callee: Callee<A, R>, args: Args<A>): Expr<R> {
  const operands = args as unknown as readonly Expr<ValType>[];
  if (operands.length !== callee.params.length || operands.some((a, k) => a.type !== callee.params[k])) {
    throw new Error(`call ${callee.name}: operands (${operands.map((a) => a.type).join(', ')}) do not match its parameters (${callee.params.join(', ')})`);
  }
  return expr(callee.result, operands, (out) => void out.byte(0x10).u32(callee.index));
}

/**
 * A value computed by statements: `block (result T) body; result end`. Lets an expression bind
 * locals (so a value used twice is computed once) without leaving expression position.
 */
export const valueBlock = <T extends ValType>(body: readonly Stmt[], result: Expr<T>): Expr<T> => {
  const label = new Label('block');
  return {
    type: result.type,
    write(out, scope) {
      out.byte(0x02).byte(VAL_TYPE_CODE[result.type]);
      writeBody(body, out, [...scope, label]);
      result.write(out, [...scope, label]);
      out.byte(0x0b);
    },
  };
};

/** `condition ? a : b` evaluating only the operand chosen (an `if` with a result). */
export const ifValue = <T extends ValType>(condition: Expr<'i32'>, then: Expr<T>, otherwise: Expr<T>): Expr<T> => {
  if (then.type !== otherwise.type) throw new Error(`ifValue: the branches are ${then.type} and ${otherwise.type}`);
  const label = new Label('if');
  return {
    type: then.type,
    write(out, scope) {
      condition.write(out, scope);
      out.byte(0x04).byte(VAL_TYPE_CODE[then.type]);
      then.write(out, [...scope, label]);
      out.byte(0x05);
      otherwise.write(out, [...scope, label]);
      out.byte(0x0b);
    },
  };
};

export const drop = (value: Expr<ValType>): Stmt =>
  stmt((out, scope) => {
    value.write(out, scope);
    out.byte(0x1a);
  });

const EMPTY_BLOCK_TYPE = 0x40;

function writeBody(body: readonly Stmt[], out: ByteWriter, scope: LabelScope): void {
  for (const s of body) s.write(out, scope);
}

function structured(code: number, kind: 'block' | 'loop', body: (label: Label) => readonly Stmt[]): Stmt {
  const label = new Label(kind);
  const inner = body(label);
  return stmt((out, scope) => {
    out.byte(code).byte(EMPTY_BLOCK_TYPE);
    writeBody(inner, out, [...scope, label]);
    out.byte(0x0b);
  });
}

/** A block; `br(label)` inside leaves it. */
export const block = (body: (label: Label) => readonly Stmt[]): Stmt => structured(0x02, 'block', body);

/** A loop; `br(label)` inside jumps back to its start. Falling off the end leaves it. */
export const loop = (body: (label: Label) => readonly Stmt[]): Stmt => structured(0x03, 'loop', body);

export const if_ = (condition: Expr<'i32'>, then: readonly Stmt[], otherwise: readonly Stmt[] = []): Stmt => {
  const label = new Label('if');
  return stmt((out, scope) => {
    condition.write(out, scope);
    out.byte(0x04).byte(EMPTY_BLOCK_TYPE);
    writeBody(then, out, [...scope, label]);
    if (otherwise.length > 0) {
      out.byte(0x05);
      writeBody(otherwise, out, [...scope, label]);
    }
    out.byte(0x0b);
  });
};

function depth(label: Label, scope: LabelScope, what: string): number {
  const at = scope.lastIndexOf(label);
  if (at < 0) throw new Error(`${what}: the label is not that of an enclosing block or loop`);
  return scope.length - 1 - at;
}

export const br = (label: Label): Stmt => stmt((out, scope) => void out.byte(0x0c).u32(depth(label, scope, 'br')));

export const br_if = (label: Label, condition: Expr<'i32'>): Stmt =>
  stmt((out, scope) => {
    condition.write(out, scope);
    out.byte(0x0d).u32(depth(label, scope, 'br_if'));
  });
