// The instruction set a kernel generator may use, as typed expression and statement factories.
// Opcodes are those of the WebAssembly core spec (2.0) and its fixed-width SIMD proposal
// (merged into 2.0); relaxed SIMD (fused multiply-add) is deliberately absent: not every engine has it.
import type { ByteWriter } from './bytes.js';
import { Label, type Expr, type LabelScope, type Local, type MemArg, type Stmt, type ValType } from './types.js';

const SIMD_PREFIX = 0xfd;

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
  trunc_f32_s: unary<'f32', 'i32'>('i32', op(0xa8)),
  reinterpret_f32: unary<'f32', 'i32'>('i32', op(0xbc)),
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
  floor: unary<'f32', 'f32'>('f32', op(0x8e)),
  sqrt: unary<'f32', 'f32'>('f32', op(0x91)),
  add: binary<'f32', 'f32'>('f32', op(0x92)),
  sub: binary<'f32', 'f32'>('f32', op(0x93)),
  mul: binary<'f32', 'f32'>('f32', op(0x94)),
  div: binary<'f32', 'f32'>('f32', op(0x95)),
  min: binary<'f32', 'f32'>('f32', op(0x96)),
  max: binary<'f32', 'f32'>('f32', op(0x97)),
  convert_i32_s: unary<'i32', 'f32'>('f32', op(0xb2)),
  convert_i32_u: unary<'i32', 'f32'>('f32', op(0xb3)),
  reinterpret_i32: unary<'i32', 'f32'>('f32', op(0xbe)),
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
  or: binary<'v128', 'v128'>('v128', simdOp(0x50)),
  xor: binary<'v128', 'v128'>('v128', simdOp(0x51)),
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
  eq: binary<'v128', 'v128'>('v128', simdOp(0x41)),
  lt: binary<'v128', 'v128'>('v128', simdOp(0x43)),
  abs: unary<'v128', 'v128'>('v128', simdOp(0xe0)),
  neg: unary<'v128', 'v128'>('v128', simdOp(0xe1)),
  sqrt: unary<'v128', 'v128'>('v128', simdOp(0xe3)),
  add: binary<'v128', 'v128'>('v128', simdOp(0xe4)),
  sub: binary<'v128', 'v128'>('v128', simdOp(0xe5)),
  mul: binary<'v128', 'v128'>('v128', simdOp(0xe6)),
  div: binary<'v128', 'v128'>('v128', simdOp(0xe7)),
  min: binary<'v128', 'v128'>('v128', simdOp(0xe8)),
  max: binary<'v128', 'v128'>('v128', simdOp(0xe9)),
};

export const i32x4 = {
  splat: unary<'i32', 'v128'>('v128', simdOp(0x11)),
  extract_lane: (v: Expr<'v128'>, lane: number): Expr<'i32'> => {
    const k = laneIndex(lane, 4);
    return expr('i32', [v], (out) => void out.byte(SIMD_PREFIX).u32(0x1b).byte(k));
  },
  add: binary<'v128', 'v128'>('v128', simdOp(0xae)),
  sub: binary<'v128', 'v128'>('v128', simdOp(0xb1)),
  mul: binary<'v128', 'v128'>('v128', simdOp(0xb5)),
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
export const select = <T extends 'i32' | 'f32'>(a: Expr<T>, b: Expr<T>, condition: Expr<'i32'>): Expr<T> => expr(a.type, [a, b, condition], op(0x1b));

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
