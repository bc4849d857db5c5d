// Reductions (`sum`, `max`, `mean`) over any set of axes, as statements for work items [lo, hi) =
// output elements. The input is read through a callback taking a linear index into the input's
// shape, so a compiler can plug a fused elementwise prologue in instead of a load.
//
// The input shape is first reduced to blocks: axes of length 1 dropped, adjacent axes that are
// both reduced or both kept merged (they are contiguous in row-major order). Then:
//
// - f32, innermost block reduced ("runs"): each output is a set of contiguous runs of R elements,
//   one per index of the outer reduced blocks (row-major). Per run, SIMD in a fixed order:
//     v0..v3 = identity; for i = 0, 16, .. while i + 16 <= R: v_j ⊕= x[i+4j .. i+4j+4]
//     then while i + 4 <= R: v0 ⊕= x[i .. i+4];  v = (v0 ⊕ v1) ⊕ (v2 ⊕ v3)
//     s = (v[0] ⊕ v[1]) ⊕ (v[2] ⊕ v[3]); then s ⊕= x[i] for the last R mod 4 elements
//   (runs shorter than 4 skip the vectors: s starts at the identity). The output is
//   acc = identity, acc ⊕= s per run in row-major order of the outer reduced blocks.
// - otherwise ("columns"): each output accumulates its elements one at a time from the identity,
//   in row-major order of the reduced blocks. For f32 with the innermost block kept, sixteen (then
//   four) neighbouring outputs run as the lanes of four (one) vectors, which rounds exactly as the
//   scalar order does; integers run one output at a time (their sums wrap modulo 2^32 and their max is
//   exact, so order does not matter).
//
// `mean` is the f32 sum rounded once more by one division by the count (0/0 = NaN for an empty
// axis, as core's reference). `max` keeps a NaN (f32.max propagates it).
//
// A whole-tensor reduction has one output, so as one stage it runs on one thread. `reduceSplit`
// splits it instead: stage 1 (items = chunks of REDUCE_CHUNK elements) reduces each chunk as one
// run in the order above into a partial (scratch, 4 bytes a chunk); stage 2 (one item) combines
// the partials in chunk order from the identity, then `mean` divides once.
import { f32, f32x4, get, i32, if_, select, set, v128, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { forRange, increment, whileLess } from './loops.js';

export type ReduceDType = 'f32' | 'i32' | 'u32';

/** What a reduction computes; core's `REDUCTIONS[op]` has exactly these fields. */
export interface ReduceKind {
  readonly combine: 'sum' | 'max';
  readonly divideByCount: boolean;
}

export interface ReduceSpec<D extends ReduceDType = ReduceDType> {
  readonly kind: ReduceKind;
  readonly dtype: D;
  readonly inputShape: readonly number[];
  /** Reduced axes, non-negative and distinct (core's `normalizeAxes`). `keepDims` does not change the output's element order. */
  readonly axes: readonly number[];
}

type ScalarOf<D extends ReduceDType> = D extends 'f32' ? 'f32' : 'i32';

export interface ReduceInput<D extends ReduceDType = ReduceDType> {
  /** Input element at a linear index of the input's shape (f32 for f32; i32 bits for i32 and u32). */
  readonly read: (index: Expr<'i32'>) => Expr<ScalarOf<D>>;
  /** Elements [index, index + 4) as one vector (f32 only); optional: four `read`s otherwise, same result. */
  readonly read4?: (index: Expr<'i32'>) => Expr<'v128'>;
}

/** A run of input axes: all reduced or all kept. `stride` in elements. */
interface Block {
  readonly size: number;
  readonly stride: number;
  readonly reduced: boolean;
}

/** The input's axes as blocks, outermost first; `empty` when a reduced axis has length 0. */
function blocksOf(shape: readonly number[], axes: readonly number[]): { blocks: Block[]; empty: boolean } {
  for (const axis of axes) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) throw new RangeError(`reduce: axis ${axis} is not in 0..${shape.length - 1}`);
  }
  if (new Set(axes).size !== axes.length) throw new RangeError(`reduce: axes [${axes.join(', ')}] repeat an axis`);
  const empty = axes.some((axis) => shape[axis] === 0);
  const blocks: { size: number; stride: number; reduced: boolean }[] = [];
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis]!;
    const reduced = axes.includes(axis);
    if (size !== 1) {
      const outer = blocks[0];
      if (outer !== undefined && outer.reduced === reduced) outer.size *= size;
      else blocks.unshift({ size, stride, reduced });
    }
    stride *= size;
  }
  return { blocks, empty };
}

/** Work items: the output elements. */
export function reduceItems(spec: ReduceSpec): number {
  return spec.inputShape.reduce((n, d, axis) => (spec.axes.includes(axis) ? n : n * d), 1);
}

/** The scalar accumulation of one dtype: identity, `acc ⊕= x`, store. */
interface Scalar<T extends 'f32' | 'i32'> {
  readonly identity: Expr<T>;
  combine(acc: Local<T>, x: Expr<T>): Stmt[];
  store(address: Expr<'i32'>, value: Expr<T>): Stmt;
}

function scalarOf(fn: LocalAllocator, spec: ReduceSpec): Scalar<'f32'> | Scalar<'i32'> {
  const max = spec.kind.combine === 'max';
  if (spec.dtype === 'f32') {
    const scalar: Scalar<'f32'> = {
      identity: f32.const(max ? -Infinity : 0),
      combine: (acc, x) => [set(acc, (max ? f32.max : f32.add)(get(acc), x))],
      store: (address, value) => f32.store(address, value),
    };
    return scalar;
  }
  const x = fn.local('i32');
  const greater = spec.dtype === 'i32' ? i32.gt_s : i32.gt_u;
  const scalar: Scalar<'i32'> = {
    identity: i32.const(max ? (spec.dtype === 'i32' ? -(2 ** 31) : 0) : 0),
    combine: (acc, value) => (max ? [set(x, value), set(acc, select(get(acc), get(x), greater(get(acc), get(x))))] : [set(acc, i32.add(get(acc), value))]),
    store: (address, value) => i32.store(address, value),
  };
  return scalar;
}

/** Nested loops over `blocks` (row-major), `offset` = start + the current element's offset; `body` innermost. */
function overBlocks(fn: LocalAllocator, blocks: readonly Block[], start: Expr<'i32'>, offset: Local<'i32'>, body: readonly Stmt[]): Stmt[] {
  if (blocks.length === 0) return [set(offset, start), ...body];
  const [first, ...rest] = blocks as [Block, ...Block[]];
  const counter = fn.local('i32');
  const level = fn.local('i32');
  return [
    set(level, start),
    ...forRange(counter, i32.const(0), i32.const(first.size), 1, [...overBlocks(fn, rest, get(level), offset, body), increment(level, i32.const(first.stride))]),
  ];
}

/** The input offset of output element `o`: its kept multi-index dotted with the kept blocks' strides. */
function keptOffset(fn: LocalAllocator, kept: readonly Block[], o: Expr<'i32'>, into: Local<'i32'>): Stmt[] {
  const rest = fn.local('i32');
  const out: Stmt[] = [set(into, i32.const(0)), set(rest, o)];
  for (let b = kept.length - 1; b >= 0; b--) {
    const { size, stride } = kept[b]!;
    const index = b === 0 ? get(rest) : i32.rem_u(get(rest), i32.const(size));
    out.push(increment(into, i32.mul(index, i32.const(stride))));
    if (b > 0) out.push(set(rest, i32.div_u(get(rest), i32.const(size))));
  }
  return out;
}

const f32Vector = (max: boolean) => ({
  identity: max ? v128.const_i32x4([0xff800000, 0xff800000, 0xff800000, 0xff800000].map((x) => x | 0) as [number, number, number, number]) : v128.const_i32x4([0, 0, 0, 0]),
  op: max ? f32x4.max : f32x4.add,
});

/** Four consecutive f32 inputs from `index` as a vector. */
function vectorRead(input: ReduceInput<'f32'>, index: Expr<'i32'>): Expr<'v128'> {
  if (input.read4 !== undefined) return input.read4(index);
  let v = f32x4.splat(input.read(index));
  for (let lane = 1; lane < 4; lane++) v = f32x4.replace_lane(v, lane, input.read(i32.add(index, i32.const(lane))));
  return v;
}

/** `s` = the run of `length` f32 inputs from `start`, in the order the header states. */
function runReduce(fn: LocalAllocator, length: number, max: boolean, input: ReduceInput<'f32'>, start: Local<'i32'>, s: Local<'f32'>): Stmt[] {
  const combine = max ? f32.max : f32.add;
  const vec = f32Vector(max);
  const i = fn.local('i32');
  const lanes = Math.floor(length / 4) * 4;
  const out: Stmt[] = [set(s, f32.const(max ? -Infinity : 0))];
  if (lanes > 0) {
    const acc = [0, 1, 2, 3].map(() => fn.local('v128'));
    const at = (offset: number) => i32.add(get(start), offset === 0 ? get(i) : i32.add(get(i), i32.const(offset)));
    const v = fn.local('v128');
    out.push(
      ...acc.map((a) => set(a, vec.identity)),
      ...forRange(i, i32.const(0), i32.const(Math.floor(length / 16) * 16), 16, acc.map((a, j) => set(a, vec.op(get(a), vectorRead(input, at(4 * j)))))),
      // forRange leaves i at the first element past the 16-wide loop.
      ...forRange(i, get(i), i32.const(lanes), 4, [set(acc[0]!, vec.op(get(acc[0]!), vectorRead(input, at(0))))]),
      set(v, vec.op(vec.op(get(acc[0]!), get(acc[1]!)), vec.op(get(acc[2]!), get(acc[3]!)))),
      set(s, combine(combine(f32x4.extract_lane(get(v), 0), f32x4.extract_lane(get(v), 1)), combine(f32x4.extract_lane(get(v), 2), f32x4.extract_lane(get(v), 3)))),
    );
  }
  out.push(...forRange(i, i32.const(lanes), i32.const(length), 1, [set(s, combine(get(s), input.read(i32.add(get(start), get(i)))))]));
  return out;
}

/**
 * Statements computing output elements [lo, hi) of the reduction and storing them (4 bytes each)
 * from byte address `out`. `lo`, `hi` and `out` are evaluated once.
 */
export function reduceStatements<D extends ReduceDType>(fn: LocalAllocator, spec: ReduceSpec<D>, input: ReduceInput<D>, out: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const { blocks, empty } = blocksOf(spec.inputShape, spec.axes);
  if (spec.kind.divideByCount && spec.dtype !== 'f32') throw new RangeError(`reduce: a mean of ${spec.dtype} is not defined (core's mean takes f32)`);
  if (spec.kind.combine === 'max' && empty) throw new RangeError('reduce: max over an axis of length 0 has no value');
  const count = spec.axes.reduce((n, axis) => n * spec.inputShape[axis]!, 1);
  const reduced = empty ? [] : blocks.filter((b) => b.reduced);
  const kept = blocks.filter((b) => !b.reduced);
  const scalar = scalarOf(fn, spec);
  const base = fn.local('i32');
  const o = fn.local('i32');
  const end = fn.local('i32');
  const address = fn.local('i32');
  const offset = fn.local('i32');
  const prologue = [set(o, lo), set(end, hi), set(address, i32.add(out, i32.shl(get(o), i32.const(2))))];
  const inner = blocks[blocks.length - 1];
  if (spec.dtype === 'f32') {
    const f = scalar as Scalar<'f32'>;
    const read = input as ReduceInput<'f32'>;
    const max = spec.kind.combine === 'max';
    const acc = fn.local('f32');
    const finish = (value: Expr<'f32'>) => (spec.kind.divideByCount ? f32.div(value, f32.const(count)) : value);
    if (inner !== undefined && inner.reduced && !empty) {
      // Runs: the innermost reduced block is contiguous.
      const s = fn.local('f32');
      return [
        ...prologue,
        ...forRange(o, get(o), get(end), 1, [
          ...keptOffset(fn, kept, get(o), base),
          set(acc, f.identity),
          ...overBlocks(fn, reduced.slice(0, -1), get(base), offset, [...runReduce(fn, inner.size, max, read, offset, s), ...f.combine(acc, get(s))]),
          f.store(get(address), finish(get(acc))),
          increment(address, i32.const(4)),
        ]),
      ];
    }
    // Columns, four outputs a vector while they are neighbours in the innermost kept block.
    // With an empty reduction nothing is read: one output at a time will do.
    const kin = inner !== undefined && !inner.reduced ? inner.size : 1;
    const segmentEnd = fn.local('i32');
    const vacc = fn.local('v128');
    const wide = [0, 1, 2, 3].map(() => fn.local('v128'));
    const vec = f32Vector(max);
    const vfinish = (value: Expr<'v128'>) => (spec.kind.divideByCount ? f32x4.div(value, f32x4.splat(f32.const(count))) : value);
    return [
      ...prologue,
      whileLess(o, get(end), [
        ...keptOffset(fn, kept, get(o), base),
        // The end of this innermost kept block, or of the range.
        set(segmentEnd, i32.add(i32.sub(get(o), i32.rem_u(get(o), i32.const(kin))), i32.const(kin))),
        set(segmentEnd, select(get(end), get(segmentEnd), i32.lt_s(get(end), get(segmentEnd)))),
        // Sixteen outputs (a cache line of each input row) per pass, then four, then one.
        ...forRange(o, get(o), i32.sub(get(segmentEnd), i32.const(15)), 16, [
          ...wide.map((w) => set(w, vec.identity)),
          ...overBlocks(fn, reduced, get(base), offset, wide.map((w, j) => set(w, vec.op(get(w), vectorRead(read, i32.add(get(offset), i32.const(4 * j))))))),
          ...wide.map((w, j) => v128.store(get(address), vfinish(get(w)), { align: 4, offset: 16 * j })),
          increment(address, i32.const(64)),
          increment(base, i32.const(16)),
        ]),
        ...forRange(o, get(o), i32.sub(get(segmentEnd), i32.const(3)), 4, [
          set(vacc, vec.identity),
          ...overBlocks(fn, reduced, get(base), offset, [set(vacc, vec.op(get(vacc), vectorRead(read, get(offset))))]),
          v128.store(get(address), vfinish(get(vacc)), { align: 4 }),
          increment(address, i32.const(16)),
          increment(base, i32.const(4)),
        ]),
        ...forRange(o, get(o), get(segmentEnd), 1, [
          set(acc, f.identity),
          ...overBlocks(fn, reduced, get(base), offset, f.combine(acc, read.read(get(offset)))),
          f.store(get(address), finish(get(acc))),
          increment(address, i32.const(4)),
          increment(base, i32.const(1)),
        ]),
      ]),
    ];
  }
  const n = scalar as Scalar<'i32'>;
  const read = input as ReduceInput<'i32' | 'u32'>;
  const acc = fn.local('i32');
  return [
    ...prologue,
    ...forRange(o, get(o), get(end), 1, [
      ...keptOffset(fn, kept, get(o), base),
      set(acc, n.identity),
      ...overBlocks(fn, reduced, get(base), offset, n.combine(acc, read.read(get(offset)) as Expr<'i32'>)),
      n.store(get(address), get(acc)),
      increment(address, i32.const(4)),
    ]),
  ];
}

/** Elements per partial of a split whole-tensor reduction (64 KiB of f32: one chunk streams through L2). */
export const REDUCE_CHUNK = 16_384;

/** A whole-tensor reduction split into chunks: the input's length and its chunk count. */
export interface ReduceSplit {
  readonly length: number;
  readonly chunks: number;
}

/**
 * The split of a reduction with one output over more than one chunk (every axis of length > 1
 * reduced), or undefined: then `reduceStatements` alone does it.
 */
export function reduceSplit(spec: ReduceSpec): ReduceSplit | undefined {
  const { blocks, empty } = blocksOf(spec.inputShape, spec.axes);
  if (empty || blocks.some((b) => !b.reduced)) return undefined;
  const length = spec.inputShape.reduce((n, d) => n * d, 1);
  return length > REDUCE_CHUNK ? { length, chunks: Math.ceil(length / REDUCE_CHUNK) } : undefined;
}

/** Work items of the partial stage (the combine stage has one). */
export const reducePartialItems = (split: ReduceSplit): number => split.chunks;

/** Scratch between the stages, shared by all threads: one 4-byte partial per chunk. */
export const reduceScratchBytes = (split: ReduceSplit): number => 4 * split.chunks;

/** Stage 1 over chunks [lo, hi): each chunk's partial (f32 in the run order; integers wrap) stored at `partials` + 4·chunk. */
export function reducePartialStatements<D extends ReduceDType>(fn: LocalAllocator, spec: ReduceSpec<D>, split: ReduceSplit, input: ReduceInput<D>, partials: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const chunk = fn.local('i32');
  const start = fn.local('i32');
  const address = i32.add(partials, i32.shl(get(chunk), i32.const(2)));
  const lastLength = split.length - (split.chunks - 1) * REDUCE_CHUNK;
  const lengths = (body: (length: number) => Stmt[]): Stmt[] =>
    lastLength === REDUCE_CHUNK ? body(REDUCE_CHUNK) : [if_(i32.lt_s(get(chunk), i32.const(split.chunks - 1)), body(REDUCE_CHUNK), body(lastLength))];
  let perChunk: (length: number) => Stmt[];
  if (spec.dtype === 'f32') {
    const s = fn.local('f32');
    perChunk = (length) => [...runReduce(fn, length, spec.kind.combine === 'max', input as ReduceInput<'f32'>, start, s), f32.store(address, get(s))];
  } else {
    const n = scalarOf(fn, spec) as Scalar<'i32'>;
    const acc = fn.local('i32');
    const i = fn.local('i32');
    const read = (input as ReduceInput<'i32' | 'u32'>).read;
    perChunk = (length) => [set(acc, n.identity), ...forRange(i, get(start), i32.add(get(start), i32.const(length)), 1, n.combine(acc, read(get(i)) as Expr<'i32'>)), n.store(address, get(acc))];
  }
  return forRange(chunk, lo, hi, 1, [set(start, i32.mul(get(chunk), i32.const(REDUCE_CHUNK))), ...lengths(perChunk)]);
}

/** Stage 2 (one item; [lo, hi) is [0, 1) or empty): the partials combined in chunk order into the output at `out`. */
export function reduceCombineStatements(fn: LocalAllocator, spec: ReduceSpec, split: ReduceSplit, partials: Expr<'i32'>, out: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const chunk = fn.local('i32');
  const at = (): Expr<'i32'> => i32.add(partials, i32.shl(get(chunk), i32.const(2)));
  const count = spec.axes.reduce((n, axis) => n * spec.inputShape[axis]!, 1);
  if (spec.dtype === 'f32') {
    const f = scalarOf(fn, spec) as Scalar<'f32'>;
    const acc = fn.local('f32');
    return [
      if_(i32.lt_s(lo, hi), [
        set(acc, f.identity),
        ...forRange(chunk, i32.const(0), i32.const(split.chunks), 1, f.combine(acc, f32.load(at()))),
        f.store(out, spec.kind.divideByCount ? f32.div(get(acc), f32.const(count)) : get(acc)),
      ]),
    ];
  }
  const n = scalarOf(fn, spec) as Scalar<'i32'>;
  const acc = fn.local('i32');
  return [if_(i32.lt_s(lo, hi), [set(acc, n.identity), ...forRange(chunk, i32.const(0), i32.const(split.chunks), 1, n.combine(acc, i32.load(at()))), n.store(out, get(acc))])];
}
