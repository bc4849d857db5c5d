import { sizeOf, type Node } from '@spikeflow/core';
import type { BufferBinding } from '../codegen/kernel-source.js';
import type { MatmulArgs } from '../codegen/matmul.js';
import type { MatmulEpilogue } from '../codegen/matmul-epilogue.js';
import { matmulRegisterKernel } from '../codegen/matmul-register.js';
import { matmulSpikeKernel, SPIKE_MATMUL_ROWS } from '../codegen/matmul-spike.js';
import { chooseSplitK, matmulDims, matmulNarrowKernel, matmulSplitKKernel, NARROW_MAX, splitKBlock, type MatmulDims } from '../codegen/matmul-skinny.js';
import { reduceKernel } from '../codegen/reduce.js';
import { addValue, bindingOf, producedValueId, type KernelContext, type Lowering } from './lowering.js';
import type { KernelStep } from './program.js';

/**
 * Which kernel computes a matmul of these sizes (see matmul-skinny.ts for the narrow and split-K
 * shapes). Every other dense product is register-blocked: it beat the tiled kernel 2.4-6x on
 * every shape and transpose measured (BENCHMARKS.md, "Kernel tuning notes"); the tiled kernel
 * (codegen/matmul.ts) stays as that measurement's baseline.
 */
export type MatmulStrategy = { readonly kind: 'register' } | { readonly kind: 'narrow'; readonly side: 'm' | 'n' } | { readonly kind: 'split-k' };

/**
 * Outputs small enough for split-K, and K long enough to be worth splitting. Split-K threads read
 * their operands without reuse between threads, so a larger output is better served by a blocked
 * kernel (measured against the tiled one, not re-tuned for the register-blocked one); the bounds sit above the sMNIST network's first weight gradient (28 x 256 outputs over
 * K = 1400), which split-K serves better (BENCHMARKS.md, "Kernel tuning notes").
 */
const SPLIT_K_MAX_OUTPUTS = 8192;
const SPLIT_K_MIN_K = 1024;
/** Fewer tiles than this leave a GPU (or lavapipe's threads) mostly idle. */
const FEW_TILES = 16;
/** The narrow kernel runs one thread per element of the long side; below this there are too few. */
const NARROW_MIN_THREADS = 512;
/** The narrow kernel streams K once per thread; past this a blocked kernel's reuse wins. */
const NARROW_MAX_K = 1024;
/**
 * Few rows (PSN's W·X over [T, N]) stay narrow only up to this many: at 16 and 32 rows the
 * register-blocked kernel ran 1.1x and 1.5x faster, at 8 rows 0.8x (bench/kernel-tuning-notes.md,
 * "Narrow or register-blocked for few rows").
 */
const NARROW_MAX_ROWS = 8;

/**
 * Few output columns (a readout's classes) take the narrow kernel whatever the rows: rows are
 * T·B in a time-major model, and a choice that looked at them would switch kernels, and so
 * compile another pipeline, when only the batch size changes. Few rows (PSN's T) need a long
 * enough row side to fill the device.
 */
export function matmulStrategy({ batch, m, k, n }: MatmulDims): MatmulStrategy {
  const matrices = sizeOf(batch);
  const tiles = Math.ceil(m / 64) * Math.ceil(n / 64) * matrices;
  if (tiles < FEW_TILES && m * n * matrices <= SPLIT_K_MAX_OUTPUTS && k >= SPLIT_K_MIN_K) return { kind: 'split-k' };
  if (k > NARROW_MAX_K) return { kind: 'register' };
  if (n <= NARROW_MAX) return { kind: 'narrow', side: 'n' };
  if (m <= NARROW_MAX_ROWS && n * matrices >= NARROW_MIN_THREADS) return { kind: 'narrow', side: 'm' };
  return { kind: 'register' };
}

/** The kernel arguments of matmul `node`: its operands bound as `a` and `b`, its result as `out`. */
function matmulArgsOf(low: Lowering, node: Node<'matmul'>, out: BufferBinding, epilogue?: MatmulEpilogue): MatmulArgs {
  const { attrs } = node;
  return {
    label: node.name,
    a: bindingOf(low, node.inputs[0]!, 'a', 'read'),
    b: bindingOf(low, node.inputs[1]!, 'b', 'read'),
    out,
    transposeA: attrs.transposeA,
    transposeB: attrs.transposeB,
    ...(epilogue === undefined ? {} : { epilogue }),
    ...(low.limits.subgroupSize === undefined ? {} : { subgroupSize: low.limits.subgroupSize }),
  };
}

/**
 * Which kernel computes matmul `node`: the zero-skipping spike kernel for a packed left operand
 * when zero skipping is on (on the software device the project measures on, it beat the dense
 * kernels on every product and spike rate tried, BENCHMARKS.md "Kernel tuning notes", so it has
 * no shape rule), else matmulStrategy's choice for its sizes.
 */
export function matmulKernelOf(low: Lowering, node: Node<'matmul'>): MatmulStrategy | { readonly kind: 'spike' } {
  const [a, b] = [bindingOf(low, node.inputs[0]!, 'a', 'read'), bindingOf(low, node.inputs[1]!, 'b', 'read')];
  if (low.skipSpikeZeros === true && a.packed === true) return { kind: 'spike' };
  return matmulStrategy(matmulDims(a, b, node.attrs.transposeA, node.attrs.transposeB));
}

/**
 * Spike matmuls at most NARROW_SPIKE_N columns wide (W1's s1·W2 and s1ᵀ·dH2, N = 10) use
 * NARROW_SPIKE_ROWS rows per workgroup instead of 32: the kernel is written out per row, and on
 * lavapipe its compile took 3-5x less (W1's fc2/matmul 16.5 KB -> 5.1 KB of WGSL, 26 s -> 2.6 s
 * at a load of 14), while such a product takes well under 1 ms either way (0.3-1.6 ms measured).
 * Each output still sums its rows of B in the same order, so results are bit-identical.
 */
const NARROW_SPIKE_N = 16;
const NARROW_SPIKE_ROWS = 8;

/**
 * The dispatches computing a matmul node (two for split-K: partial products, then their sum), by
 * `matmulKernelOf`. With an `epilogue` (see matmulEpilogues; register-blocked and narrow kernels
 * only) the one dispatch computes the fused group in its stores and writes the group root's
 * buffer `out`; the product gets no buffer.
 */
export function lowerMatmul({ low, node, arg, out }: KernelContext<'matmul'>, epilogue?: MatmulEpilogue): KernelStep[] {
  const { id } = node;
  const args = matmulArgsOf(low, node, out, epilogue);
  const operands = [arg(node.inputs[0]!), arg(node.inputs[1]!)];
  // With an epilogue the kernel binds the group's loads (all but the product) and writes the group's root.
  const extra = epilogue === undefined ? [] : epilogue.loads.filter((l) => l !== epilogue.product).map(arg);
  const result = producedValueId(low, epilogue === undefined ? id : epilogue.root);
  const nodes = epilogue === undefined ? [id] : [id, ...epilogue.members];
  const dims = matmulDims(args.a, args.b, args.transposeA, args.transposeB);
  const strategy = matmulKernelOf(low, node);
  if (epilogue !== undefined && strategy.kind !== 'register' && strategy.kind !== 'narrow') throw new Error(`internal: ${node.name} has an epilogue but no kernel that computes one`);
  if (strategy.kind === 'spike') {
    const rows = dims.n <= NARROW_SPIKE_N ? NARROW_SPIKE_ROWS : SPIKE_MATMUL_ROWS;
    return [{ kind: 'kernel', source: matmulSpikeKernel(args, rows), args: [...operands, result], nodes }];
  }
  if (strategy.kind === 'register') return [{ kind: 'kernel', source: matmulRegisterKernel(args, dims), args: [...operands, ...extra, result], nodes }];
  if (strategy.kind === 'narrow') return [{ kind: 'kernel', source: matmulNarrowKernel(args, dims, strategy.side), args: [...operands, ...extra, result], nodes }];
  const block = splitKBlock(dims);
  const split = chooseSplitK(dims, block);
  const outputs = sizeOf(dims.batch) * dims.m * dims.n;
  const partialType = { shape: [split.chunks, outputs], dtype: 'f32' } as const;
  const partialId = `${result}/split-k`;
  addValue(low, partialId, partialType, 'temp', `${node.name} (split-K partial products)`);
  const partial: BufferBinding = { name: 'partial', access: 'read_write', type: partialType, stepStride: 0 };
  const sum = reduceKernel({
    label: node.name,
    op: 'sum',
    inShape: partialType.shape,
    axes: [0],
    keepDims: false,
    dtype: 'f32',
    input: undefined,
    inputBinding: { ...partial, name: 'in0', access: 'read' },
    out,
  });
  return [
    { kind: 'kernel', source: matmulSplitKKernel(args, dims, split, partial, block), args: [...operands, partialId], nodes: [id] },
    { kind: 'kernel', source: sum, args: [partialId, result], nodes: [id] },
  ];
}
