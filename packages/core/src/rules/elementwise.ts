import { DTYPES, isDType, type DType } from '../dtype.js';
import { fail } from '../errors.js';
import { allocTensor, type HostTensor } from '../host-tensor.js';
import { BINARY_OPS, COMPARE_OPS, LOGICAL_OPS, UNARY_OPS, type BinaryOp, type CompareOp, type LogicalOp, type UnaryOp } from '../primitives.js';
import { SURROGATE_NAMES } from '../surrogate.js';
import { formatType, sameType, type Shape, type TensorType, type ValueType } from '../types.js';
import { broadcastIndexer } from './broadcast-index.js';
import { broadcastOrFail, expectArity, expectDType, expectSameDType } from './checks.js';
import type { CpuContext, CpuRule, CpuTable, InferRule, InferTable } from './rule-types.js';
import type { Surrogate } from '../graph.js';

/**
 * Elementwise primitives: unary math, binary arithmetic, comparisons and logic (numpy
 * broadcasting), `where`, `cast`, `spike` and `stopGradient`.
 *
 * Values are computed in float64 and rounded by the output's storage: a Float32Array rounds
 * floats to f32 (correctly, for + - * / and sqrt), an Int32Array/Uint32Array wraps integers
 * modulo 2^32, as on the GPU.
 */

type Fn1 = (x: number) => number;
type Fn2 = (a: number, b: number) => number;

type ElementwiseOp = UnaryOp | BinaryOp | CompareOp | LogicalOp | 'where' | 'cast' | 'spike' | 'stopGradient';

const NUMERIC: readonly DType[] = ['f32', 'i32', 'u32'];
const F32: readonly DType[] = ['f32'];
const BOOL: readonly DType[] = ['bool'];

/** Round half to even, as WGSL's `round`; a zero result keeps x's sign (IEEE roundeven). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 ? x * 0 : r;
}

/** 1/(1+e^-x), evaluated so that neither branch overflows to Inf/Inf = NaN. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

interface UnarySpec {
  readonly dtypes: readonly DType[];
  readonly f: Fn1;
}

/** On i32, neg and abs of -2^31 wrap to -2^31 through the Int32Array store, as in WGSL. */
const UNARY: Readonly<Record<UnaryOp, UnarySpec>> = {
  neg: { dtypes: ['f32', 'i32'], f: (x) => -x },
  abs: { dtypes: ['f32', 'i32'], f: Math.abs },
  sign: { dtypes: ['f32', 'i32'], f: Math.sign },
  exp: { dtypes: F32, f: Math.exp },
  log: { dtypes: F32, f: Math.log },
  sqrt: { dtypes: F32, f: Math.sqrt },
  rsqrt: { dtypes: F32, f: (x) => 1 / Math.sqrt(x) },
  reciprocal: { dtypes: F32, f: (x) => 1 / x },
  sin: { dtypes: F32, f: Math.sin },
  cos: { dtypes: F32, f: Math.cos },
  tanh: { dtypes: F32, f: Math.tanh },
  sigmoid: { dtypes: F32, f: sigmoid },
  floor: { dtypes: F32, f: Math.floor },
  ceil: { dtypes: F32, f: Math.ceil },
  round: { dtypes: F32, f: roundHalfEven },
  logicalNot: { dtypes: BOOL, f: (x) => (x === 0 ? 1 : 0) },
};

interface BinarySpec {
  readonly dtypes: readonly DType[];
  /** Comparisons and logic give bool; arithmetic keeps the operands' dtype. */
  readonly toBool: boolean;
  readonly f: Fn2;
  /** i32/u32 semantics where plain float arithmetic followed by wrapping would be wrong. */
  readonly int?: Fn2;
}

const arith = (f: Fn2, int?: Fn2, dtypes: readonly DType[] = NUMERIC): BinarySpec => ({ dtypes, toBool: false, f, int });
const predicate = (f: (a: number, b: number) => boolean, dtypes: readonly DType[] = NUMERIC): BinarySpec => ({
  dtypes,
  toBool: true,
  f: (a, b) => (f(a, b) ? 1 : 0),
});

/**
 * Integer division truncates toward zero; division by zero gives 0 (no trap, as on a GPU;
 * a WGSL backend must select 0 explicitly). -2^31 / -1 wraps to -2^31.
 */
function intDiv(a: number, b: number): number {
  return b === 0 ? 0 : Math.trunc(a / b);
}

const BINARY: Readonly<Record<BinaryOp | CompareOp | LogicalOp, BinarySpec>> = {
  // add/sub are exact in float64 for 32-bit operands, so the store's wrap is the integer result.
  add: arith((a, b) => a + b),
  sub: arith((a, b) => a - b),
  // The float product of two 32-bit integers can exceed 2^53 and lose low bits: use imul.
  mul: arith((a, b) => a * b, Math.imul),
  div: arith((a, b) => a / b, intDiv),
  pow: arith(Math.pow, undefined, F32),
  maximum: arith(Math.max),
  minimum: arith(Math.min),
  less: predicate((a, b) => a < b),
  lessEqual: predicate((a, b) => a <= b),
  greater: predicate((a, b) => a > b),
  greaterEqual: predicate((a, b) => a >= b),
  // Equality also makes sense on bool (xnor / xor).
  equal: predicate((a, b) => a === b, [...NUMERIC, 'bool']),
  notEqual: predicate((a, b) => a !== b, [...NUMERIC, 'bool']),
  logicalAnd: predicate((a, b) => a !== 0 && b !== 0, BOOL),
  logicalOr: predicate((a, b) => a !== 0 || b !== 0, BOOL),
};

/** Maps a flat output index to the value of `x` broadcast onto `outShape`. */
function reader(x: HostTensor, outShape: Shape): (i: number) => number {
  const index = broadcastIndexer(x.type.shape, outShape);
  const data = x.data;
  return (i) => data[index(i)]!;
}

/** The one elementwise loop: allocates the node's output and fills element i with at(i). */
function fill(type: ValueType, ctx: CpuContext, at: (i: number) => number): HostTensor {
  const out = allocTensor(type as TensorType, ctx.precision);
  const data = out.data;
  for (let i = 0; i < data.length; i++) data[i] = at(i);
  return out;
}

/** Float to integer: truncate toward zero, saturate at the type's range; NaN gives 0. */
function saturatingTrunc(min: number, max: number): Fn1 {
  return (x) => (Number.isNaN(x) ? 0 : Math.min(max, Math.max(min, Math.trunc(x))));
}

/**
 * Conversion of one value. Not listed: identity, with the storage doing the rest (i32 <-> u32
 * reinterpret modulo 2^32, integers to f32 round to nearest, bool is already 0/1).
 */
function converter(from: DType, to: DType): Fn1 {
  if (to === 'bool') return (x) => (x !== 0 ? 1 : 0); // NaN != 0, so NaN is true
  if (from === 'f32' && to === 'i32') return saturatingTrunc(-(2 ** 31), 2 ** 31 - 1);
  if (from === 'f32' && to === 'u32') return saturatingTrunc(0, 2 ** 32 - 1);
  return (x) => x;
}

/** A known surrogate family with a finite positive parameter, or a custom g'(x) of x's type. */
function checkSurrogate(s: Surrogate, x: TensorType, where: string): void {
  const known = [...SURROGATE_NAMES, 'custom'].join(', ');
  if (typeof s !== 'object' || s === null) fail('attr', where, 'spike needs a surrogate', `one of ${known}`, JSON.stringify(s));
  if (s.kind !== 'custom') {
    if (!(SURROGATE_NAMES as readonly string[]).includes(s.kind)) {
      fail('attr', where, 'unknown surrogate', `one of ${known}`, JSON.stringify(s.kind));
    }
    if (typeof s.alpha !== 'number' || !Number.isFinite(s.alpha) || s.alpha <= 0) {
      fail('attr', where, `surrogate ${s.kind} needs a finite positive alpha`, 'alpha > 0', typeof s.alpha === 'number' ? String(s.alpha) : JSON.stringify(s.alpha));
    }
    return;
  }
  const g = s.derivative;
  const want: TensorType = { shape: x.shape, dtype: 'f32' };
  const interfaceOk =
    typeof g === 'object' &&
    g !== null &&
    typeof g.nodes === 'object' &&
    g.inputs?.length === 1 &&
    g.outputs?.length === 1 &&
    g.params?.length === 0 &&
    g.state?.length === 0;
  if (!interfaceOk) {
    fail('attr', where, 'a custom surrogate derivative maps x to g\'(x): one input, one output, no params or state', '1 input, 1 output', describeInterface(g));
  }
  const ends: [string, ValueType | undefined][] = [
    ['input', g.nodes[g.inputs[0]!]?.type],
    ['output', g.nodes[g.outputs[0]!.node]?.type],
  ];
  for (const [what, t] of ends) {
    if (t === undefined || !sameType(t, want)) {
      fail('shape', where, `the custom surrogate derivative's ${what} must have x's shape and dtype f32`, formatType(want), t === undefined ? 'a missing node' : formatType(t));
    }
  }
}

function describeInterface(g: unknown): string {
  if (typeof g !== 'object' || g === null) return JSON.stringify(g);
  const count = (k: string) => {
    const v = (g as Record<string, unknown>)[k];
    return Array.isArray(v) ? v.length : 'no';
  };
  return `${count('inputs')} inputs, ${count('outputs')} outputs, ${count('params')} params, ${count('state')} state`;
}

function unaryInfer(op: UnaryOp): InferRule<UnaryOp> {
  return (inputs, _attrs, where) => {
    expectArity(inputs, 1, where, op);
    const x = inputs[0]!;
    expectDType(x, UNARY[op].dtypes, where, `${op} input`);
    return { shape: [...x.shape], dtype: x.dtype };
  };
}

function binaryInfer(op: BinaryOp | CompareOp | LogicalOp): InferRule<BinaryOp | CompareOp | LogicalOp> {
  return (inputs, _attrs, where) => {
    expectArity(inputs, 2, where, op);
    const [a, b] = inputs as [TensorType, TensorType];
    expectSameDType(a, b, where, op);
    expectDType(a, BINARY[op].dtypes, where, `${op} operands`);
    const shape = broadcastOrFail([a.shape, b.shape], where, op);
    return { shape, dtype: BINARY[op].toBool ? 'bool' : a.dtype };
  };
}

function unaryCpu(op: UnaryOp): CpuRule<UnaryOp> {
  const f = UNARY[op].f;
  return ([x], _attrs, type, ctx) => {
    const data = x!.data;
    return fill(type, ctx, (i) => f(data[i]!));
  };
}

function binaryCpu(op: BinaryOp | CompareOp | LogicalOp): CpuRule<BinaryOp | CompareOp | LogicalOp> {
  const spec = BINARY[op];
  return ([a, b], _attrs, type, ctx) => {
    const f = spec.int !== undefined && (a!.type.dtype === 'i32' || a!.type.dtype === 'u32') ? spec.int : spec.f;
    const shape = (type as TensorType).shape;
    const ra = reader(a!, shape);
    const rb = reader(b!, shape);
    return fill(type, ctx, (i) => f(ra(i), rb(i)));
  };
}

/** One rule per op of `ops`, as a table typed over exactly those ops. */
function table<K extends string, R>(ops: readonly K[], rule: (op: K) => R): Record<K, R> {
  return Object.fromEntries(ops.map((op) => [op, rule(op)])) as Record<K, R>;
}

export const elementwiseInfer: InferTable<ElementwiseOp> = {
  ...table(UNARY_OPS, unaryInfer),
  ...table([...BINARY_OPS, ...COMPARE_OPS, ...LOGICAL_OPS], binaryInfer),
  where: (inputs, _attrs, where) => {
    expectArity(inputs, 3, where, 'where');
    const [cond, a, b] = inputs as [TensorType, TensorType, TensorType];
    expectDType(cond, BOOL, where, 'where condition');
    expectSameDType(a, b, where, 'where');
    return { shape: broadcastOrFail([cond.shape, a.shape, b.shape], where, 'where'), dtype: a.dtype };
  },
  cast: (inputs, attrs, where) => {
    expectArity(inputs, 1, where, 'cast');
    if (!isDType(attrs.dtype)) {
      fail('attr', where, 'cast needs a target dtype', DTYPES.join(', '), JSON.stringify(attrs.dtype));
    }
    return { shape: [...inputs[0]!.shape], dtype: attrs.dtype };
  },
  spike: (inputs, attrs, where) => {
    expectArity(inputs, 1, where, 'spike');
    const x = inputs[0]!;
    expectDType(x, F32, where, 'spike input');
    checkSurrogate(attrs.surrogate, x, where);
    return { shape: [...x.shape], dtype: 'f32' };
  },
  stopGradient: (inputs, _attrs, where) => {
    expectArity(inputs, 1, where, 'stopGradient');
    const x = inputs[0]!;
    return { shape: [...x.shape], dtype: x.dtype };
  },
};

export const elementwiseCpu: CpuTable<ElementwiseOp> = {
  ...table(UNARY_OPS, unaryCpu),
  ...table([...BINARY_OPS, ...COMPARE_OPS, ...LOGICAL_OPS], binaryCpu),
  where: ([cond, a, b], _attrs, type, ctx) => {
    const shape = (type as TensorType).shape;
    const [rc, ra, rb] = [reader(cond!, shape), reader(a!, shape), reader(b!, shape)];
    return fill(type, ctx, (i) => (rc(i) !== 0 ? ra(i) : rb(i)));
  },
  cast: ([x], attrs, type, ctx) => {
    const f = converter(x!.type.dtype, attrs.dtype);
    const data = x!.data;
    return fill(type, ctx, (i) => f(data[i]!));
  },
  // Heaviside step; NaN >= 0 is false, so NaN does not fire.
  spike: ([x], _attrs, type, ctx) => {
    const data = x!.data;
    return fill(type, ctx, (i) => (data[i]! >= 0 ? 1 : 0));
  },
  // A copy, so that no two nodes share a buffer.
  stopGradient: ([x], _attrs, type, ctx) => {
    const data = x!.data;
    return fill(type, ctx, (i) => data[i]!);
  },
};
