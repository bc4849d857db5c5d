// `conv1d` and `conv2d` forward (core's definition: cross-correlation, x [N, Cin, ...S],
// w [Cout, Cin/groups, ...K], per spatial axis stride, [lo, hi] zero padding, dilation; groups) as
// im2col + the packed matmul of matmul-forms.ts. Per group, the weights are a [Cout/G, Cin/G·ΠK]
// matrix as stored, and the output [Cout/G, ΠO] is that matrix times the columns matrix
// col[(ci, k), o] = x[n, g·Cin/G + ci, o·stride - lo + k·dilation] (0 on the padding). So:
//
//   packA   (matmul-forms) the weights, as A of shape [G, Cout/G, Cin/G·ΠK];
//   im2col  items = N·G·panels: the columns matrix written straight into packed-B panels, so
//           it is never stored unpacked;
//   multiply (matmul-forms) over [N, G] batch matrices; A's batch broadcasts over N, and the
//           output [N, G, Cout/G, ΠO] is exactly [N, Cout, ...O].
//
// Each output is summed as the matmul sums (per K block from zero, increasing (ci, k) in
// row-major order). The price is scratch: the packed columns take N·G·Cin/G·ΠK·⌈ΠO/NR⌉·NR floats.
// conv-direct.ts computes the same bits without scratch; its `convPath` says which path a shape takes.
import { f32, get, i32, if_, set, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { forRange, increment } from './loops.js';
import { panelWidth } from './matmul.js';
import { packedBMatrixBytes, packedBOffset, planMatmul, type MatmulPlan } from './matmul-forms.js';
import type { MatmulTiling } from './matmul.js';

/** The per-axis attrs both convolutions reduce to (conv1d's scalars as one-axis lists). */
export interface ConvSpec {
  readonly xShape: readonly number[];
  readonly wShape: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly (readonly [number, number])[];
  readonly dilation: readonly number[];
  readonly groups: number;
  readonly tiling?: MatmulTiling;
}

export interface ConvPlan {
  readonly spec: ConvSpec;
  /** Output spatial sizes. */
  readonly outSpatial: readonly number[];
  /** The matmul: A = weights [G, Cout/G, Cin/G·ΠK], B = columns [N, G, Cin/G·ΠK, ΠO]. */
  readonly matmul: MatmulPlan;
}

const c = i32.const;
const product = (dims: readonly number[]) => dims.reduce((x, d) => x * d, 1);

export function planConv(spec: ConvSpec): ConvPlan {
  const { xShape, wShape, stride, padding, dilation, groups } = spec;
  const spatial = xShape.length - 2;
  if (spatial < 1 || wShape.length !== xShape.length || stride.length !== spatial || padding.length !== spatial || dilation.length !== spatial) {
    throw new RangeError(`conv: x [${xShape.join(', ')}], w [${wShape.join(', ')}] and the per-axis attrs do not agree on the spatial axes`);
  }
  const [n, cin] = xShape as [number, number];
  const [cout, cinPerGroup] = wShape as [number, number];
  if (cin % groups !== 0 || cout % groups !== 0 || cinPerGroup !== cin / groups) throw new RangeError(`conv: channels ${cin} in, ${cout} out do not split into ${groups} groups of w's ${cinPerGroup}`);
  const outSpatial = xShape.slice(2).map((s, d) => Math.floor((s + padding[d]![0] + padding[d]![1] - dilation[d]! * (wShape[d + 2]! - 1) - 1) / stride[d]!) + 1);
  if (outSpatial.some((o) => o < 1)) throw new RangeError(`conv: the dilated kernel does not fit the padded input (output [${outSpatial.join(', ')}])`);
  const kc = cinPerGroup * product(wShape.slice(2));
  const matmul = planMatmul({ aShape: [groups, cout / groups, kc], bShape: [n, groups, kc, product(outSpatial)], transposeA: false, transposeB: false, tiling: spec.tiling });
  return { spec, outSpatial, matmul };
}

/** Work items of the im2col stage (packA's and multiply's are matmul-forms' `packAItems`, `multiplyItems` of `plan.matmul`). */
export const im2colItems = (plan: ConvPlan): number => (plan.matmul.k === 0 ? 0 : plan.matmul.bMatrices * plan.matmul.panels);

/** Nested loops over the kernel's taps in row-major order; `body(inside, offset)` per tap: whether it is off the padding, and its element offset in the channel. */
function overTaps(fn: LocalAllocator, plan: ConvPlan, start: readonly Local<'i32'>[], body: (inside: Expr<'i32'>, offset: Expr<'i32'>) => Stmt[]): Stmt[] {
  const { spec } = plan;
  const xSpatial = spec.xShape.slice(2);
  const nest = (d: number, inside: Expr<'i32'>, offset: Expr<'i32'>): Stmt[] => {
    if (d === xSpatial.length) return body(inside, offset);
    const tap = fn.local('i32');
    const position = fn.local('i32');
    const stride = product(xSpatial.slice(d + 1));
    return forRange(tap, c(0), c(spec.wShape[d + 2]!), 1, [
      set(position, i32.add(get(start[d]!), i32.mul(get(tap), c(spec.dilation[d]!)))),
      ...nest(d + 1, i32.and(inside, i32.lt_u(get(position), c(xSpatial[d]!))), i32.add(offset, i32.mul(get(position), c(stride)))),
    ]);
  };
  return nest(0, c(1), c(0));
}

/**
 * The im2col stage over items [lo, hi) (image·group × panel): the columns matrix of x (at byte
 * address `x`) into packed-B panels at `packedB`.
 */
export function im2colStatements(fn: LocalAllocator, plan: ConvPlan, x: Expr<'i32'>, packedB: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const { spec, outSpatial, matmul } = plan;
  const nr = panelWidth(matmul.tiling);
  const cinPerGroup = spec.wShape[1]!;
  const channelFloats = product(spec.xShape.slice(2));
  const positions = product(outSpatial);
  const item = fn.local('i32');
  const matrix = fn.local('i32');
  const panel = fn.local('i32');
  const j = fn.local('i32');
  const column = fn.local('i32');
  const ci = fn.local('i32');
  const xChannel = fn.local('i32');
  const dst = fn.local('i32');
  const p = fn.local('i32');
  const rest = fn.local('i32');
  const start = outSpatial.map(() => fn.local('i32'));
  // Output coordinate along each axis, times the stride, less the low padding (unsigned compares catch the low side).
  const starts: Stmt[] = [set(rest, get(column))];
  for (let d = outSpatial.length - 1; d >= 0; d--) {
    starts.push(set(start[d]!, i32.sub(i32.mul(i32.rem_u(get(rest), c(outSpatial[d]!)), c(spec.stride[d]!)), c(spec.padding[d]![0]))));
    starts.push(set(rest, i32.div_u(get(rest), c(outSpatial[d]!))));
  }
  const tap = (inside: Expr<'i32'>, offset: Expr<'i32'>): Stmt[] => [
    if_(inside, [f32.store(get(dst), f32.load(i32.add(get(xChannel), i32.shl(offset, c(2)))))], [f32.store(get(dst), f32.const(0))]),
    increment(dst, c(nr * 4)),
  ];
  return forRange(item, lo, hi, 1, [
    set(matrix, i32.div_u(get(item), c(matmul.panels))),
    set(panel, i32.rem_u(get(item), c(matmul.panels))),
    ...forRange(j, c(0), c(nr), 1, [
      set(column, i32.add(i32.mul(get(panel), c(nr)), get(j))),
      set(dst, i32.add(i32.add(packedB, i32.mul(get(matrix), c(packedBMatrixBytes(matmul)))), packedBOffset(matmul, get(panel), c(0), get(j)))),
      if_(
        i32.lt_s(get(column), c(positions)),
        [
          ...starts,
          // matrix = image·G + group, and the group's first channel is group·Cin/G: image·Cin + group·Cin/G = matrix·Cin/G.
          set(xChannel, i32.add(x, i32.mul(get(matrix), c(cinPerGroup * channelFloats * 4)))),
          ...forRange(ci, c(0), c(cinPerGroup), 1, [...overTaps(fn, plan, start, tap), increment(xChannel, c(channelFloats * 4))]),
        ],
        forRange(p, c(0), c(matmul.k), 1, [f32.store(get(dst), f32.const(0)), increment(dst, c(nr * 4))]),
      ),
    ]),
  ]);
}
