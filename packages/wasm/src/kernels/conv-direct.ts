// Direct convolution (no im2col, no scratch) for `conv1d`/`conv2d` shapes whose last spatial axis
// has stride 1: four neighbouring outputs along that axis are four neighbouring inputs for every
// tap, so one unaligned v128 load of x serves a vector of outputs, and each weight is broadcast
// (`v128.load32_splat`) against it. A register tile is `coBlock` output channels × `vectors`
// vectors of 4 outputs along the last axis (coBlock·vectors accumulators).
//
// Work items: image · group · block of output channels · position along the outer output axes
// (all but the last), i.e. one output row of `coBlock` channels. Along the row, outputs whose taps
// all lie inside x along the last axis take vector tiles (4·vectors wide, the last one shifted
// back to end at the inside's edge); the rest (the padding's edges) take a scalar path that checks
// each tap.
//
// Order: each output sums its taps in row-major (ci, k...) order from +0, fl(s + fl(w·x)), one
// block (the plan requires taps <= kBlock), which is exactly the order of the im2col path
// (matmul.ts: per K block from zero), so both paths give the same bits. Taps on the zero padding
// are skipped: they would add fl(0·w) = ±0 to an s that is never -0, which changes nothing unless
// w is infinite or NaN (then im2col gives NaN and this path does not).
import { f32, f32x4, get, i32, if_, set, v128, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { forRange, increment, whileLess } from './loops.js';
import { DEFAULT_MATMUL_TILING } from './matmul.js';
import type { ConvSpec } from './conv.js';

export interface DirectConvPlan {
  readonly spec: ConvSpec;
  readonly outSpatial: readonly number[];
  /** Output channels per register tile (the last block of a group may be smaller). */
  readonly coBlock: number;
  /** v128 vectors of outputs along the last axis per register tile. */
  readonly vectors: number;
  readonly blocksPerGroup: number;
  /** Taps per output channel: Cin/G·ΠK. */
  readonly taps: number;
}

const c = i32.const;
const product = (dims: readonly number[]) => dims.reduce((x, d) => x * d, 1);
/** Longest last kernel axis the direct path unrolls. */
const MAX_UNROLLED_TAPS = 16;

/** Why the direct path cannot take this shape, or undefined when it can. */
export function directConvRefusal(spec: ConvSpec): string | undefined {
  const last = spec.xShape.length - 1;
  const taps = product(spec.wShape.slice(1));
  if (spec.stride[last - 2] !== 1) return 'the last spatial axis has stride > 1';
  if (spec.wShape[last]! > MAX_UNROLLED_TAPS) return `the last kernel axis is longer than ${MAX_UNROLLED_TAPS}`;
  if (taps > (spec.tiling ?? DEFAULT_MATMUL_TILING).kBlock) return 'more taps than one K block';
  return undefined;
}

/** Output channels per group above which im2col's packed multiply wins (measured in bench/wasm-kernels.ts). */
const DIRECT_MAX_CHANNELS = 32;

/**
 * Which path a convolution takes: direct where it can and the group has at most 32 output
 * channels (each im2col column then feeds few rows of the multiply, so writing the columns costs
 * more than the product), im2col + packed multiply otherwise.
 */
export function convPath(spec: ConvSpec): 'direct' | 'im2col' {
  return directConvRefusal(spec) === undefined && spec.wShape[0]! / spec.groups <= DIRECT_MAX_CHANNELS ? 'direct' : 'im2col';
}

/** Tile of the direct path: 4 channels × 2 vectors (8 accumulators, 2 x vectors and a weight in 16 registers). */
export const DIRECT_CONV_TILE = { coBlock: 4, vectors: 2 } as const;

export function planDirectConv(spec: ConvSpec, outSpatial: readonly number[], tile: { readonly coBlock: number; readonly vectors: number } = DIRECT_CONV_TILE): DirectConvPlan {
  const refusal = directConvRefusal(spec);
  if (refusal !== undefined) throw new RangeError(`conv: no direct path: ${refusal}`);
  const coutPerGroup = spec.wShape[0]! / spec.groups;
  if (tile.vectors < 1 || tile.vectors > 2 || tile.coBlock < 1) throw new RangeError(`conv: a direct tile of ${tile.coBlock} channels × ${tile.vectors} vectors is not one this path builds (1 or 2 vectors)`);
  const coBlock = Math.min(tile.coBlock, coutPerGroup);
  return { spec, outSpatial, coBlock, vectors: tile.vectors, blocksPerGroup: Math.ceil(coutPerGroup / coBlock), taps: product(spec.wShape.slice(1)) };
}

/** Work items: N·G·blocksPerGroup·Π(outer output axes). */
export const directConvItems = (plan: DirectConvPlan): number => plan.spec.xShape[0]! * plan.spec.groups * plan.blocksPerGroup * product(plan.outSpatial.slice(0, -1));

/**
 * Items [lo, hi) of the direct convolution: x (at byte address `x`) ∗ w (at `w`) into `out`
 * ([N, Cout, ...O], 4 bytes an element).
 */
export function directConvStatements(fn: LocalAllocator, plan: DirectConvPlan, x: Expr<'i32'>, w: Expr<'i32'>, out: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const { spec, outSpatial, coBlock, blocksPerGroup, taps } = plan;
  const [cout, cinPerGroup] = spec.wShape as [number, number];
  const coutPerGroup = cout / spec.groups;
  const xSpatial = spec.xShape.slice(2);
  const last = xSpatial.length - 1;
  const width = xSpatial[last]!;
  const kx = spec.wShape[spec.wShape.length - 1]!;
  const dil = spec.dilation[last]!;
  const padLo = spec.padding[last]![0];
  const outWidth = outSpatial[last]!;
  const outer = outSpatial.slice(0, -1);
  const positions = product(outSpatial);
  const channelFloats = product(xSpatial);
  // Outputs [xLo, xHi) along the last axis have every tap inside x.
  const xLo = Math.min(outWidth, padLo);
  const xHi = Math.max(xLo, Math.min(outWidth, width + padLo - (kx - 1) * dil));

  const item = fn.local('i32');
  const rest = fn.local('i32');
  const co0 = fn.local('i32');
  const xImage = fn.local('i32');
  const wBlock = fn.local('i32');
  const outRow = fn.local('i32');
  const ox = fn.local('i32');
  const ci = fn.local('i32');
  const xChannel = fn.local('i32');
  const wTap = fn.local('i32');
  const xAt = fn.local('i32');
  const ix = fn.local('i32');
  const start = outer.map(() => fn.local('i32'));
  const xv = Array.from({ length: plan.vectors }, () => fn.local('v128'));
  const wv = fn.local('v128');
  const vacc = Array.from({ length: coBlock * plan.vectors }, () => fn.local('v128'));
  const sacc = Array.from({ length: coBlock }, () => fn.local('f32'));
  const xs = fn.local('f32');

  const padded = (d: number) => spec.padding[d]![0] !== 0 || spec.padding[d]![1] !== 0;
  const and = (x: Expr<'i32'> | undefined, y: Expr<'i32'>) => (x === undefined ? y : i32.and(x, y));
  /** Over ci and the outer kernel axes in row-major order: body(rowOffset) per kernel row inside x; wTap advances by kx each row. */
  const overRows = (body: (rowOffset: Expr<'i32'>) => Stmt[]): Stmt[] => {
    // `inside`: whether the row lies inside x; undefined where no padding makes that always so.
    const nest = (d: number, inside: Expr<'i32'> | undefined, offset: Expr<'i32'>): Stmt[] => {
      if (d === outer.length) return [...(inside === undefined ? body(offset) : [if_(inside, body(offset))]), increment(wTap, c(kx * 4))];
      const tap = fn.local('i32');
      const position = fn.local('i32');
      const stride = product(xSpatial.slice(d + 1));
      return forRange(tap, c(0), c(spec.wShape[d + 2]!), 1, [
        set(position, i32.add(get(start[d]!), i32.mul(get(tap), c(spec.dilation[d]!)))),
        ...nest(d + 1, padded(d) ? and(inside, i32.lt_u(get(position), c(xSpatial[d]!))) : inside, i32.add(offset, i32.mul(get(position), c(stride)))),
      ]);
    };
    return [set(xChannel, get(xImage)), set(wTap, get(wBlock)), ...forRange(ci, c(0), c(cinPerGroup), 1, [...nest(0, undefined, c(0)), increment(xChannel, c(channelFloats * 4))])];
  };
  const wSplat = (j: number, k: number) => v128.load32_splat(get(wTap), { offset: (j * taps + k) * 4 });

  /** A vector tile of `vectors` × 4 outputs from `ox`, `channels` output channels: all taps inside along the last axis. */
  const vectorTile = (channels: number, vectors: number): Stmt[] => {
    const acc = (j: number, v: number) => vacc[j * vectors + v]!;
    const perTap = (k: number): Stmt[] => [
      ...Array.from({ length: vectors }, (_, v) => set(xv[v]!, v128.load(get(xAt), { offset: (k * dil + 4 * v) * 4, align: 4 }))),
      ...Array.from({ length: channels }, (_, j) => [set(wv, wSplat(j, k)), ...Array.from({ length: vectors }, (_, v) => set(acc(j, v), f32x4.add(get(acc(j, v)), f32x4.mul(get(wv), get(xv[v]!)))))]).flat(),
    ];
    return [
      ...Array.from({ length: channels * vectors }, (_, a) => set(vacc[a]!, v128.const_i32x4([0, 0, 0, 0]))),
      ...overRows((rowOffset) => [set(xAt, i32.add(get(xChannel), i32.shl(i32.add(rowOffset, i32.sub(get(ox), c(padLo))), c(2)))), ...Array.from({ length: kx }, (_, k) => perTap(k)).flat()]),
      ...Array.from({ length: channels }, (_, j) =>
        Array.from({ length: vectors }, (_, v) => v128.store(i32.add(get(outRow), i32.shl(get(ox), c(2))), get(acc(j, v)), { offset: (j * positions + 4 * v) * 4, align: 4 })),
      ).flat(),
      increment(ox, c(4 * vectors)),
    ];
  };

  /** One output at `ox`, `channels` output channels, each tap checked along the last axis. */
  const scalarOutput = (channels: number): Stmt[] => [
    ...sacc.slice(0, channels).map((s) => set(s, f32.const(0))),
    ...overRows((rowOffset) =>
      Array.from({ length: kx }, (_, k) => [
        set(ix, i32.add(get(ox), c(k * dil - padLo))),
        if_(i32.lt_u(get(ix), c(width)), [
          set(xs, f32.load(i32.add(get(xChannel), i32.shl(i32.add(rowOffset, get(ix)), c(2))))),
          ...sacc.slice(0, channels).map((s, j) => set(s, f32.add(get(s), f32.mul(f32.load(get(wTap), { offset: (j * taps + k) * 4 }), get(xs))))),
        ]),
      ]).flat(),
    ),
    ...sacc.slice(0, channels).map((s, j) => f32.store(i32.add(get(outRow), i32.shl(get(ox), c(2))), get(s), { offset: j * positions * 4 })),
    increment(ox, c(1)),
  ];

  // Left edge, vector tiles over the inside, then the right edge; each piece advances ox. The
  // inside's last few outputs take one more tile ending at xHi, overlapping the previous one: it
  // rewrites those outputs with the same bits, and is much cheaper than scalar outputs.
  const wide = 4 * plan.vectors;
  const inside = xHi - xLo;
  const lastTile = (count: number, vectors: number): Stmt[] => [if_(i32.lt_s(get(ox), c(xHi)), [set(ox, c(xHi - 4 * vectors)), ...vectorTile(count, vectors)])];
  const row = (count: number): Stmt[] => [
    set(ox, c(0)),
    ...whileFits(ox, 1, xLo, scalarOutput(count)),
    ...(inside >= wide
      ? [...whileFits(ox, wide, xHi, vectorTile(count, plan.vectors)), ...lastTile(count, plan.vectors)]
      : inside >= 4
        ? [...whileFits(ox, 4, xHi, vectorTile(count, 1)), ...lastTile(count, 1)]
        : []),
    ...whileFits(ox, 1, outWidth, scalarOutput(count)),
  ];

  const tail = coutPerGroup % coBlock;
  return forRange(item, lo, hi, 1, [
    // item = ((image·G + group)·blocksPerGroup + block)·Π(outer) + position.
    set(rest, get(item)),
    ...outer
      .map((_, d) => d)
      .reverse()
      .flatMap((d) => [set(start[d]!, i32.sub(i32.mul(i32.rem_u(get(rest), c(outer[d]!)), c(spec.stride[d]!)), c(spec.padding[d]![0]))), set(rest, i32.div_u(get(rest), c(outer[d]!)))]),
    // rest = (image·G + group)·blocksPerGroup + block; its channels start at group·Cout/G + block·coBlock.
    set(co0, i32.add(i32.mul(i32.div_u(i32.rem_u(get(rest), c(spec.groups * blocksPerGroup)), c(blocksPerGroup)), c(coutPerGroup)), i32.mul(i32.rem_u(get(rest), c(blocksPerGroup)), c(coBlock)))),
    set(rest, i32.div_u(get(rest), c(blocksPerGroup))),
    // rest = image·G + group: the group's first input channel is at (image·Cin + group·Cin/G) = rest·Cin/G channels.
    set(xImage, i32.add(x, i32.mul(get(rest), c(cinPerGroup * channelFloats * 4)))),
    set(wBlock, i32.add(w, i32.mul(get(co0), c(taps * 4)))),
    set(outRow, i32.add(out, i32.shl(i32.add(i32.mul(i32.add(i32.mul(i32.div_u(get(rest), c(spec.groups)), c(cout)), get(co0)), c(positions)), i32.mul(i32.rem_u(get(item), c(product(outer))), c(outWidth))), c(2)))),
    // A group's last block holds the Cout/G mod coBlock channels left over.
    ...(tail === 0 ? row(coBlock) : [if_(i32.eq(i32.rem_u(i32.div_u(get(item), c(product(outer))), c(blocksPerGroup)), c(blocksPerGroup - 1)), row(tail), row(coBlock))]),
  ]);
}

/** `while (counter + width <= end) body` (the body advances the counter by `width`). */
function whileFits(counter: Local<'i32'>, width: number, end: number, body: readonly Stmt[]): Stmt[] {
  return end - width < 0 ? [] : [whileLess(counter, c(end - width + 1), body)];
}
