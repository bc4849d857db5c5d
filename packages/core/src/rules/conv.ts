import { fail } from '../errors.js';
import { allocTensor, type HostTensor, type Precision } from '../host-tensor.js';
import { formatType, sizeOf, stridesOf, type Shape, type TensorType, type ValueType } from '../types.js';
import { expectArity, expectDType, expectPositiveInt, expectRank } from './checks.js';
import type { CpuContext, CpuTable, InferTable } from './rule-types.js';
import type { PrimitiveAttrs } from '../graph.js';

/**
 * `conv1d` and `conv2d` as one n-d cross-correlation (PyTorch's convention): x `[N, Cin, ...S]`,
 * w `[Cout, Cin/groups, ...K]` -> `[N, Cout, ...O]` with, per spatial axis,
 * O = floor((S + lo + hi - dilation·(K - 1) - 1) / stride) + 1.
 */

type ConvOp = 'conv1d' | 'conv2d';

/** Per-spatial-axis attrs, the form both ops reduce to. */
interface ConvNd {
  readonly stride: readonly number[];
  readonly padding: readonly (readonly [number, number])[];
  readonly dilation: readonly number[];
  readonly groups: number;
}

/** Attrs as read from a node, before `checkAttrs` vouches for their per-axis form. */
type UncheckedNd = { readonly [F in keyof ConvNd]: unknown };

/** conv1d's scalars become one-axis lists; conv2d's attrs are already per axis. */
const TO_ND: { readonly [P in ConvOp]: (attrs: PrimitiveAttrs[P]) => UncheckedNd } = {
  conv1d: (a) => ({ stride: [a.stride], padding: [a.padding], dilation: [a.dilation], groups: a.groups }),
  conv2d: (a) => a,
};

function toNd<P extends ConvOp>(op: P, attrs: PrimitiveAttrs[P]): UncheckedNd {
  return TO_ND[op](attrs);
}

/** Checks conv attrs for `spatial` axes; failures quote the attr as the user wrote it. */
function checkAttrs<P extends ConvOp>(op: P, attrs: PrimitiveAttrs[P], spatial: number, where: string): ConvNd {
  const nd = toNd(op, attrs);
  const raw = attrs as unknown as Record<string, unknown>;
  const perAxis = (field: 'stride' | 'dilation' | 'padding', ok: (v: unknown) => boolean, want: string) => {
    const v = nd[field];
    if (!Array.isArray(v) || v.length !== spatial || !v.every(ok)) {
      fail('attr', where, `${op} ${field} is malformed`, spatial === 1 ? want : `${spatial} × ${want}`, JSON.stringify(raw[field]));
    }
  };
  const isPositiveInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
  const isPadPair = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n) && n >= 0);
  perAxis('stride', isPositiveInt, 'a positive integer');
  perAxis('dilation', isPositiveInt, 'a positive integer');
  perAxis('padding', isPadPair, 'a [lo, hi] pair of non-negative integers');
  expectPositiveInt(nd.groups, where, `${op} groups`);
  return nd as ConvNd;
}

function inferConv<P extends ConvOp>(op: P, spatial: number) {
  return (inputs: readonly TensorType[], attrs: PrimitiveAttrs[P], where: string): TensorType => {
    expectArity(inputs, 2, where, op);
    const [x, w] = inputs as [TensorType, TensorType];
    expectDType(x, ['f32'], where, `${op} input x`);
    expectDType(w, ['f32'], where, `${op} weight w`);
    expectRank(x, spatial + 2, where, `${op} input x (N, Cin, spatial...)`);
    expectRank(w, spatial + 2, where, `${op} weight w (Cout, Cin/groups, kernel...)`);
    const nd = checkAttrs(op, attrs, spatial, where);
    const [n, cin] = x.shape as [number, number];
    const [cout, cinPerGroup] = w.shape as [number, number];
    const g = nd.groups;
    if (cin % g !== 0) fail('shape', where, `${op} input channels (axis 1 of x ${formatType(x)}) are not divisible by groups = ${g}`, `a multiple of ${g}`, `${cin}`);
    if (cout % g !== 0) fail('shape', where, `${op} output channels (axis 0 of w ${formatType(w)}) are not divisible by groups = ${g}`, `a multiple of ${g}`, `${cout}`);
    if (cinPerGroup !== cin / g) {
      fail('shape', where, `${op} weight axis 1 must be input channels / groups (${cin} / ${g})`, `${cin / g}`, `${cinPerGroup} in w ${formatType(w)}`);
    }
    const out = [n, cout];
    for (let d = 0; d < spatial; d++) {
      const size = x.shape[d + 2]!;
      const k = w.shape[d + 2]!;
      if (k < 1) fail('shape', where, `${op} kernel axis ${d + 2} of w is empty`, 'a kernel size >= 1', formatType(w));
      const [lo, hi] = nd.padding[d]!;
      const extent = nd.dilation[d]! * (k - 1) + 1;
      const o = Math.floor((size + lo + hi - extent) / nd.stride[d]!) + 1;
      if (o < 1) {
        fail('shape', where, `${op} dilated kernel (extent ${extent}) does not fit spatial axis ${d + 2} of x ${formatType(x)} padded by [${lo}, ${hi}]`, `padded size >= ${extent}`, `${size + lo + hi}`);
      }
      out.push(o);
    }
    return { shape: out, dtype: 'f32' };
  };
}

/** Every multi-index of `shape` in row-major order. */
function multiIndices(shape: Shape): number[][] {
  const strides = stridesOf(shape);
  return Array.from({ length: sizeOf(shape) }, (_, i) => shape.map((d, k) => Math.floor(i / strides[k]!) % d));
}

/** The reference convolution, summed in float64 and stored once at the output precision. */
function convNd(x: HostTensor, w: HostTensor, nd: ConvNd, type: TensorType, precision: Precision): HostTensor {
  const out = allocTensor(type, precision);
  const [n, cin, ...size] = x.type.shape as number[];
  const [cout, cinPerGroup, ...kernel] = w.type.shape as number[];
  const coutPerGroup = cout! / nd.groups;
  const xSpatial = sizeOf(size);
  const kSpatial = sizeOf(kernel);
  const xStrides = stridesOf(size);
  const outPositions = multiIndices(type.shape.slice(2));
  const kernelPositions = multiIndices(kernel);
  let i = 0;
  for (let b = 0; b < n!; b++) {
    for (let co = 0; co < cout!; co++) {
      const firstCin = Math.floor(co / coutPerGroup) * cinPerGroup!;
      for (const o of outPositions) {
        let acc = 0;
        for (let ci = 0; ci < cinPerGroup!; ci++) {
          const xBase = (b * cin! + firstCin + ci) * xSpatial;
          const wBase = (co * cinPerGroup! + ci) * kSpatial;
          taps: for (let t = 0; t < kernelPositions.length; t++) {
            const k = kernelPositions[t]!;
            let off = 0;
            for (let d = 0; d < size.length; d++) {
              const s = o[d]! * nd.stride[d]! - nd.padding[d]![0] + k[d]! * nd.dilation[d]!;
              if (s < 0 || s >= size[d]!) continue taps; // A tap on the zero padding adds nothing.
              off += s * xStrides[d]!;
            }
            acc += x.data[xBase + off]! * w.data[wBase + t]!;
          }
        }
        out.data[i++] = acc;
      }
    }
  }
  return out;
}

function cpuConv<P extends ConvOp>(op: P) {
  return ([x, w]: readonly HostTensor[], attrs: PrimitiveAttrs[P], type: ValueType, ctx: CpuContext): HostTensor =>
    convNd(x!, w!, toNd(op, attrs) as ConvNd, type as TensorType, ctx.precision);
}

export const convInfer: InferTable<ConvOp> = {
  conv1d: inferConv('conv1d', 1),
  conv2d: inferConv('conv2d', 2),
};

export const convCpu: CpuTable<ConvOp> = {
  conv1d: cpuConv('conv1d'),
  conv2d: cpuConv('conv2d'),
};
