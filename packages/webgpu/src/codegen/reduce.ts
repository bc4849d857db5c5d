import { REDUCTIONS, sizeOf, stridesOf, type DType, type ReduceOp, type Shape } from '@spikeflow/core';
import { coordinates, linearIndex } from './indexing.js';
import { bindingIndex, computeModule, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, loadStored, u, wgslValueType, type BufferBinding, type KernelSource } from './kernel-source.js';

export interface ReduceArgs {
  readonly label: string;
  readonly op: ReduceOp;
  readonly inShape: Shape;
  /** Reduced axes; negative ones count from the end. */
  readonly axes: readonly number[];
  /** Does not change the output's flat layout, only its shape. */
  readonly keepDims: boolean;
  /** Element type of the input and the output. */
  readonly dtype: DType;
  /**
   * A fused elementwise prologue: WGSL defining `fn reduce_input(i: u32) -> T` over `bindings`,
   * generated with the kernel's size table.
   */
  readonly input: ((sizes: KernelSizes) => { readonly code: string; readonly bindings: readonly BufferBinding[] }) | undefined;
  /** The buffer read without a prologue (default: `in0`, the input shape, no step offset). */
  readonly inputBinding?: BufferBinding;
  readonly out: BufferBinding;
  /**
   * Pass 1 of a split reduction: the reduced range is cut into `chunks` pieces and `out` holds
   * [outputs, chunks] partial results (a mean's are plain sums), which a second reduction over
   * the last axis combines (see `splitReduction`).
   */
  readonly chunks?: number;
  /** Pass 2 of a split mean: the partial sums are divided by this (the original reduced size). */
  readonly divisor?: number;
}

/** Reduced elements one thread accumulates before threads combine their partial results. */
export const ELEMENTS_PER_THREAD = 64;
const WORKGROUP = 256;

/** The reduced axes (normalised, sorted) and kept axes of `inShape`, and their element counts. */
export function reductionExtent(inShape: Shape, reduced: readonly number[]): { axes: number[]; kept: number[]; count: number; outputs: number } {
  const rank = inShape.length;
  const axes = [...new Set(reduced.map((a) => ((a % rank) + rank) % rank))].sort((x, y) => x - y);
  const kept = inShape.map((_, a) => a).filter((a) => !axes.includes(a));
  return { axes, kept, count: sizeOf(axes.map((a) => inShape[a]!)), outputs: sizeOf(kept.map((a) => inShape[a]!)) };
}

/** Reduced elements below which one dispatch suffices. */
const SPLIT_MIN_COUNT = 256 * ELEMENTS_PER_THREAD;
/** Workgroups a split reduction aims at, so every core of the device gets some. */
const SPLIT_TARGET_WORKGROUPS = 64;

/**
 * How many chunks to cut each output's reduced range into, or undefined when one dispatch is
 * enough: a few outputs over a long range would otherwise run on a few workgroups, one at most
 * per output (a whole-tensor loss sum: one workgroup walking every element).
 */
export function splitReduction(outputs: number, count: number): number | undefined {
  if (count < SPLIT_MIN_COUNT || outputs >= SPLIT_TARGET_WORKGROUPS) return undefined;
  return Math.min(Math.ceil(SPLIT_TARGET_WORKGROUPS / outputs), Math.floor(count / SPLIT_MIN_COUNT) * 4);
}

/** Threads per output: a power of two, so each accumulates at most ELEMENTS_PER_THREAD (until a whole workgroup is one output's). */
function threadsPerOutput(count: number): number {
  let p = 1;
  while (p < WORKGROUP && p * ELEMENTS_PER_THREAD < count) p *= 2;
  return p;
}


/**
 * Fuses neighbouring axes that step through memory as one (stride of the outer = size × stride of
 * the inner) and drops length-1 axes, so the index arithmetic has fewer divisions.
 */
function mergeAxes(shape: Shape, strides: readonly number[]): { shape: number[]; strides: number[] } {
  const merged = { shape: [] as number[], strides: [] as number[] };
  shape.forEach((dim, k) => {
    if (dim === 1) return;
    const last = merged.shape.length - 1;
    if (last >= 0 && merged.strides[last] === dim * strides[k]!) {
      merged.shape[last]! *= dim;
      merged.strides[last] = strides[k]!;
    } else {
      merged.shape.push(dim);
      merged.strides.push(strides[k]!);
    }
  });
  return merged;
}

/** Index into the input of linear index `i` over `axes` of it (in the order given). */
function indexOver(i: string, inShape: Shape, axes: readonly number[], sizes: KernelSizes): string {
  const strides = stridesOf(inShape);
  const merged = mergeAxes(
    axes.map((a) => inShape[a]!),
    axes.map((a) => strides[a]!),
  );
  return linearIndex(coordinates(i, merged.shape, sizes), merged.strides, sizes);
}

/** WGSL combining two partial results; max keeps a NaN, as the CPU's Math.max does. */
function combineFn(op: ReduceOp, t: string): string {
  if (REDUCTIONS[op].combine === 'sum') return `fn reduce_combine(a: ${t}, b: ${t}) -> ${t} { return a + b; }`;
  if (t !== 'f32') return `fn reduce_combine(a: ${t}, b: ${t}) -> ${t} { return max(a, b); }`;
  // NaN tested on the bits: a float comparison may be folded away by compilers that assume no NaN.
  return [
    'fn reduce_is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }',
    'fn reduce_combine(a: f32, b: f32) -> f32 { return select(select(max(a, b), b, reduce_is_nan(b)), a, reduce_is_nan(a)); }',
  ].join('\n');
}

/**
 * `sum`, `max` or `mean` over `axes`, with an optional fused elementwise prologue. Each output
 * gets P threads of a 256-thread workgroup (P a power of two, growing with the reduced size R):
 * they accumulate with a stride of P, then combine by a tree in workgroup memory. Up to
 * R = ELEMENTS_PER_THREAD that is one thread per output, looping over R with no barrier; from
 * R = 256 · ELEMENTS_PER_THREAD, a whole workgroup per output; fewer threads serve a short range,
 * as barriers are costly (BENCHMARKS.md, "Kernel tuning notes"). Max starts from the output's
 * first element (any element would do, max being idempotent), so it needs no -Infinity literal.
 * Integer sums wrap as WGSL's do.
 */
export function reduceKernel(args: ReduceArgs): KernelSource {
  const { op, inShape, dtype } = args;
  const { axes, kept, count, outputs } = reductionExtent(inShape, args.axes);
  if (REDUCTIONS[op].combine === 'max' && count === 0) throw new Error('internal: max over an empty axis has no value');
  const t = wgslValueType(dtype);
  const sizes = new KernelSizes();
  const plain = sizes.stepped(args.inputBinding ?? { name: 'in0', access: 'read', type: { shape: inShape, dtype }, stepStride: 0 });
  const prologue = args.input?.(sizes);
  const out = sizes.stepped(args.out);
  const inputBindings = prologue?.bindings ?? [plain];
  const inputCode = prologue?.code ?? `fn reduce_input(i: u32) -> ${t} { return ${loadStored(plain, 'i')}; }`;

  // A split pass 1 computes `chunks` partial results per output, each over a slice of the range.
  const chunks = args.chunks ?? 1;
  const chunkLength = Math.ceil(count / chunks);
  const slots = outputs * chunks;
  if ((chunks - 1) * chunkLength >= Math.max(1, count)) throw new Error(`internal: ${chunks} chunks of ${count} elements leave one empty`);
  const threads = threadsPerOutput(chunkLength);
  const perGroup = WORKGROUP / threads;
  const tree = threads > 1;
  // `count` as a runtime divisor: a constant 0.0 / 0.0 would be a shader-creation error, not NaN.
  const divisor = REDUCTIONS[op].divideByCount && chunks === 1 ? count : args.divisor;
  const result = (acc: string) => (divisor !== undefined ? `${acc} / f32(n)` : acc);
  const [first, end] = chunks === 1 ? ['0u', sizes.of(count)] : ['chunk_start', 'chunk_end'];
  // Unsplit, a slot is an output `o`.
  const slot = chunks === 1 ? 'o' : 'slot';
  const slotBound = sizes.of(slots);
  // The tree's width (threads per output, a power of two) comes from the table too, as its log2:
  // a batch that changes it must not change the kernel's text. Only tree or no tree is a class.
  const [width, shift] = tree ? [sizes.of(threads), sizes.of(Math.log2(threads))] : ['1u', '0u'];
  const body = [
    ...(tree
      ? [`let lane = lid & (${width} - 1u);`, `let ${slot} = ${FLAT_WORKGROUP_INDEX} * (${u(WORKGROUP)} >> ${shift}) + (lid >> ${shift});`]
      : [`let ${slot} = ${FLAT_WORKGROUP_INDEX} * ${u(WORKGROUP)} + lid;`]),
    ...(divisor !== undefined ? [`let n = ${sizes.of(divisor)};`] : []),
    `var acc = ${t}(0);`,
    `if (${slot} < ${slotBound}) {`,
    ...(chunks === 1
      ? []
      : [`  let o = slot / ${sizes.of(chunks)};`, `  let chunk_start = (slot % ${sizes.of(chunks)}) * ${sizes.of(chunkLength)};`, `  let chunk_end = min(chunk_start + ${sizes.of(chunkLength)}, ${sizes.of(count)});`]),
    `  let base = ${indexOver('o', inShape, kept, sizes)};`,
    ...(REDUCTIONS[op].combine === 'max' ? [chunks === 1 ? '  acc = reduce_input(base);' : `  acc = reduce_input(base + ${indexOver(first, inShape, axes, sizes)});`] : []),
    `  for (var r = ${tree ? (chunks === 1 ? 'lane' : `${first} + lane`) : first}; r < ${end}; ${tree ? `r += ${width}` : 'r++'}) { acc = reduce_combine(acc, reduce_input(base + ${indexOver('r', inShape, axes, sizes)})); }`,
    ...(tree ? [] : [`  ${out.name}[${bindingIndex(out, slot)}] = ${result('acc')};`]),
    '}',
    ...(tree
      ? [
          // Barriers stay in uniform control flow: threads past the last output still take part.
          'partial[lid] = acc;',
          'workgroupBarrier();',
          // A constant trip count keeps the barriers in uniform control flow; halves wider than the tree skip.
          `for (var s = ${u(WORKGROUP / 2)}; s > 0u; s >>= 1u) {`,
          `  if (lane < s && s < ${width}) { partial[lid] = reduce_combine(partial[lid], partial[lid + s]); }`,
          '  workgroupBarrier();',
          '}',
          `if (lane == 0u && ${slot} < ${slotBound}) { ${out.name}[${bindingIndex(out, slot)}] = ${result('partial[lid]')}; }`,
        ]
      : []),
  ];
  const bindings = sizes.bind([...inputBindings, out]);
  const { code, usesStep } = computeModule(bindings, WORKGROUP, body, [
    inputCode,
    combineFn(op, t),
    ...(tree ? [`var<workgroup> partial: array<${t}, ${WORKGROUP}>;`] : []),
  ]);
  return { label: args.label, kind: 'reduce', code, bindings, workgroups: dispatch2d(Math.ceil(slots / perGroup)), usesStep, sizes: sizes.values };
}
