import { fail } from '../errors.js';
import { allocTensor, type HostTensor, type Precision } from '../host-tensor.js';
import { formatShape, formatType, sizeOf, stridesOf, type Shape, type TensorType, type ValueType } from '../types.js';
import { broadcastStrides } from './broadcast-index.js';
import { expectArity, expectDType, expectMinArity, expectPositiveInt, expectSameDType, expectShapeAttr, normalizeAxis } from './checks.js';
import type { CpuTable, InferTable } from './rule-types.js';

/**
 * Shape primitives. `transpose`, `broadcast` and `slice` are strided views of their input
 * (one offset plus a stride per output axis), so they share one copy loop; `pad` is the same
 * view written the other way round (input elements into an output region).
 */

type ShapeOp = 'reshape' | 'transpose' | 'broadcast' | 'slice' | 'concat' | 'pad' | 'gather' | 'oneHot';

// --- strided views (linalg reuses stridedOffsets for broadcast batch dims) ----------------------

/** `offset + Σ idx[k]·strides[k]` for every multi-index `idx` of `shape`, in row-major order. */
export function stridedOffsets(shape: Shape, strides: readonly number[], offset = 0): number[] {
  const out = new Array<number>(sizeOf(shape));
  const idx = new Array<number>(shape.length).fill(0);
  let off = offset;
  for (let i = 0; i < out.length; i++) {
    out[i] = off;
    // Odometer step: bump the last axis, carrying into earlier ones.
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k]!++;
      off += strides[k]!;
      if (idx[k]! < shape[k]!) break;
      off -= strides[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

/** A new tensor of `type` whose element i is `x.data[offsets[i]]`. */
function gatherOffsets(x: HostTensor, type: TensorType, precision: Precision, offsets: readonly number[]): HostTensor {
  const out = allocTensor(type, precision);
  for (let i = 0; i < offsets.length; i++) out.data[i] = x.data[offsets[i]!]!;
  return out;
}

// --- attr checks ------------------------------------------------------------------------------

/** An array of `length` integers, each at least `min`. */
function expectIntList(value: unknown, length: number, min: number, where: string, field: string): asserts value is readonly number[] {
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => Number.isInteger(v) && v >= min)) {
    fail('attr', where, `${field} must list one integer >= ${min} per axis`, `${length} integers >= ${min}`, JSON.stringify(value));
  }
}

/** The pad value must be storable exactly in the tensor's dtype. */
function expectPadValue(value: unknown, t: TensorType, where: string): void {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (t.dtype === 'f32' || (t.dtype === 'bool' ? value === 0 || value === 1 : Number.isInteger(value)));
  if (!ok) {
    const want = t.dtype === 'f32' ? 'a finite number' : t.dtype === 'bool' ? '0 or 1' : 'a finite integer';
    fail('attr', where, `pad value does not fit ${t.dtype}`, want, JSON.stringify(value));
  }
}

// --- infer ------------------------------------------------------------------------------------

function inferTranspose(x: TensorType, perm: unknown, where: string): TensorType {
  const rank = x.shape.length;
  const isPerm =
    Array.isArray(perm) &&
    perm.length === rank &&
    perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank) &&
    new Set(perm).size === rank;
  if (!isPerm) fail('attr', where, `transpose perm must be a permutation of the ${rank} axes of ${formatType(x)}`, `a permutation of 0..${rank - 1}`, JSON.stringify(perm));
  return { shape: (perm as number[]).map((p) => x.shape[p]!), dtype: x.dtype };
}

function inferBroadcast(x: TensorType, target: unknown, where: string): TensorType {
  expectShapeAttr(target, where, 'broadcast shape');
  const lead = target.length - x.shape.length;
  const expected = `a shape broadcastable to ${formatShape(target)} (each dim 1 or equal, aligned right)`;
  if (lead < 0) fail('shape', where, 'broadcast cannot drop axes', expected, formatShape(x.shape));
  x.shape.forEach((d, ax) => {
    const t = target[ax + lead]!;
    if (d !== 1 && d !== t) fail('shape', where, `input axis ${ax} (size ${d}) cannot broadcast to target axis ${ax + lead} (size ${t})`, expected, formatShape(x.shape));
  });
  return { shape: [...target], dtype: x.dtype };
}

function inferSlice(x: TensorType, attrs: { starts: unknown; ends: unknown; steps: unknown }, where: string): TensorType {
  const rank = x.shape.length;
  expectIntList(attrs.starts, rank, 0, where, 'slice starts');
  expectIntList(attrs.ends, rank, 0, where, 'slice ends');
  expectIntList(attrs.steps, rank, 1, where, 'slice steps');
  const { starts, ends, steps } = attrs;
  const shape = x.shape.map((dim, ax) => {
    const [s, e] = [starts[ax]!, ends[ax]!];
    if (s > e || e > dim) fail('attr', where, `slice of axis ${ax} (size ${dim}) is out of range`, `0 <= start <= end <= ${dim}`, `start ${s}, end ${e}`);
    return Math.ceil((e - s) / steps[ax]!);
  });
  return { shape, dtype: x.dtype };
}

function inferConcat(inputs: readonly TensorType[], axis: number, where: string): TensorType {
  expectMinArity(inputs, 1, where, 'concat');
  const first = inputs[0]!;
  const rank = first.shape.length;
  if (rank === 0) fail('shape', where, 'concat needs tensors with at least one axis', 'rank >= 1', formatType(first));
  const ax = normalizeAxis(axis, rank, where);
  let total = 0;
  inputs.forEach((t, i) => {
    expectSameDType(first, t, where, 'concat');
    const mismatch = t.shape.length !== rank || t.shape.some((d, k) => k !== ax && d !== first.shape[k]);
    if (mismatch) {
      const want = first.shape.map((d, k) => (k === ax ? '*' : `${d}`)).join(', ');
      fail('shape', where, `concat input ${i} differs from input 0 off axis ${ax}`, `[${want}]`, formatShape(t.shape));
    }
    total += t.shape[ax]!;
  });
  const shape = [...first.shape];
  shape[ax] = total;
  return { shape, dtype: first.dtype };
}

function inferPad(x: TensorType, pads: unknown, value: unknown, where: string): TensorType {
  const rank = x.shape.length;
  const ok =
    Array.isArray(pads) &&
    pads.length === rank &&
    pads.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => Number.isInteger(n) && n >= 0));
  if (!ok) fail('attr', where, `pad pads must hold one [before, after] pair per axis of ${formatType(x)}`, `${rank} pairs of non-negative integers`, JSON.stringify(pads));
  expectPadValue(value, x, where);
  const pairs = pads as readonly (readonly [number, number])[];
  return { shape: x.shape.map((d, ax) => pairs[ax]![0] + d + pairs[ax]![1]), dtype: x.dtype };
}

function inferGather(x: TensorType, indices: TensorType, axis: number, where: string): TensorType {
  expectDType(indices, ['i32', 'u32'], where, 'gather indices');
  if (x.shape.length === 0) fail('shape', where, 'gather needs a tensor with at least one axis', 'rank >= 1', formatType(x));
  const ax = normalizeAxis(axis, x.shape.length, where);
  return { shape: [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)], dtype: x.dtype };
}

export const shapeInfer: InferTable<ShapeOp> = {
  reshape: (inputs, attrs, where) => {
    expectArity(inputs, 1, where, 'reshape');
    const x = inputs[0]!;
    if (Array.isArray(attrs.shape) && attrs.shape.includes(-1)) {
      fail('attr', where, 'reshape shape must be fully resolved (the builder resolves -1)', 'non-negative integers', JSON.stringify(attrs.shape));
    }
    expectShapeAttr(attrs.shape, where, 'reshape shape');
    if (sizeOf(attrs.shape) !== sizeOf(x.shape)) {
      fail('shape', where, `reshape of ${formatType(x)} to ${formatShape(attrs.shape)} changes the number of elements`, `${sizeOf(x.shape)} elements`, `${sizeOf(attrs.shape)}`);
    }
    return { shape: [...attrs.shape], dtype: x.dtype };
  },
  transpose: (inputs, attrs, where) => {
    expectArity(inputs, 1, where, 'transpose');
    return inferTranspose(inputs[0]!, attrs.perm, where);
  },
  broadcast: (inputs, attrs, where) => {
    expectArity(inputs, 1, where, 'broadcast');
    return inferBroadcast(inputs[0]!, attrs.shape, where);
  },
  slice: (inputs, attrs, where) => {
    expectArity(inputs, 1, where, 'slice');
    return inferSlice(inputs[0]!, attrs, where);
  },
  concat: (inputs, attrs, where) => inferConcat(inputs, attrs.axis, where),
  pad: (inputs, attrs, where) => {
    expectArity(inputs, 1, where, 'pad');
    return inferPad(inputs[0]!, attrs.pads, attrs.value, where);
  },
  gather: (inputs, attrs, where) => {
    expectArity(inputs, 2, where, 'gather');
    return inferGather(inputs[0]!, inputs[1]!, attrs.axis, where);
  },
  oneHot: (inputs, attrs, where) => {
    expectArity(inputs, 1, where, 'oneHot');
    const indices = inputs[0]!;
    expectDType(indices, ['i32', 'u32'], where, 'oneHot indices');
    expectPositiveInt(attrs.depth, where, 'oneHot depth');
    return { shape: [...indices.shape, attrs.depth], dtype: 'f32' };
  },
};

// --- cpu --------------------------------------------------------------------------------------

const tensorType = (t: ValueType) => t as TensorType;
/** Attrs were checked by infer, so a negative axis only needs shifting. */
const axisOf = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

export const shapeCpu: CpuTable<ShapeOp> = {
  reshape: ([x], _attrs, type, ctx) => {
    const out = allocTensor(tensorType(type), ctx.precision);
    out.data.set(x!.data); // Row-major data is unchanged; only the shape differs.
    return out;
  },
  transpose: ([x], attrs, type, ctx) => {
    const inStrides = stridesOf(x!.type.shape);
    const t = tensorType(type);
    return gatherOffsets(x!, t, ctx.precision, stridedOffsets(t.shape, attrs.perm.map((p) => inStrides[p]!)));
  },
  broadcast: ([x], _attrs, type, ctx) => {
    const t = tensorType(type);
    return gatherOffsets(x!, t, ctx.precision, stridedOffsets(t.shape, broadcastStrides(x!.type.shape, t.shape)));
  },
  slice: ([x], attrs, type, ctx) => {
    const inStrides = stridesOf(x!.type.shape);
    const t = tensorType(type);
    const offset = attrs.starts.reduce((acc, s, ax) => acc + s * inStrides[ax]!, 0);
    return gatherOffsets(x!, t, ctx.precision, stridedOffsets(t.shape, inStrides.map((s, ax) => s * attrs.steps[ax]!), offset));
  },
  concat: (xs, attrs, type, ctx) => {
    const t = tensorType(type);
    const ax = axisOf(attrs.axis, t.shape.length);
    const outer = sizeOf(t.shape.slice(0, ax));
    const inner = sizeOf(t.shape.slice(ax + 1));
    const outRow = t.shape[ax]! * inner;
    const out = allocTensor(t, ctx.precision);
    // Each input contributes one contiguous block of dim*inner elements per outer index.
    let at = 0;
    for (const x of xs) {
      const block = x.type.shape[ax]! * inner;
      for (let o = 0; o < outer; o++) out.data.set(x.data.subarray(o * block, (o + 1) * block), o * outRow + at);
      at += block;
    }
    return out;
  },
  pad: ([x], attrs, type, ctx) => {
    const t = tensorType(type);
    const out = allocTensor(t, ctx.precision);
    out.data.fill(attrs.value);
    const outStrides = stridesOf(t.shape);
    const offset = attrs.pads.reduce((acc, [before], ax) => acc + before * outStrides[ax]!, 0);
    const targets = stridedOffsets(x!.type.shape, outStrides, offset);
    for (let i = 0; i < targets.length; i++) out.data[targets[i]!] = x!.data[i]!;
    return out;
  },
  gather: ([x, indices], attrs, type, ctx) => {
    const xShape = x!.type.shape;
    const ax = axisOf(attrs.axis, xShape.length);
    const dim = xShape[ax]!;
    const outer = sizeOf(xShape.slice(0, ax));
    const inner = sizeOf(xShape.slice(ax + 1));
    const idx = indices!.data;
    for (let j = 0; j < idx.length; j++) {
      const k = idx[j]!;
      if (k < 0 || k >= dim) {
        fail('shape', ctx.where, `gather index ${k} (at flat position ${j} of the indices) is out of range for axis ${ax} of ${formatType(x!.type)}`, `an index in [0, ${dim})`, `${k}`);
      }
    }
    // out[o, j, r] = x[o, idx[j], r] with the indices' axes flattened into j.
    const offsets = new Array<number>(outer * idx.length * inner);
    let i = 0;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < idx.length; j++) {
        for (let r = 0; r < inner; r++) offsets[i++] = (o * dim + idx[j]!) * inner + r;
      }
    }
    return gatherOffsets(x!, tensorType(type), ctx.precision, offsets);
  },
  oneHot: ([indices], attrs, type, ctx) => {
    const out = allocTensor(tensorType(type), ctx.precision);
    const idx = indices!.data;
    for (let i = 0; i < idx.length; i++) {
      const k = idx[i]!;
      if (k >= 0 && k < attrs.depth) out.data[i * attrs.depth + k] = 1; // Out of range: a row of zeros.
    }
    return out;
  },
};
