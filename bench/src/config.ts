import type { TimingOptions } from './harness/timing.js';
import { DEFAULT_WASM_THREADS } from './peers/protocol.js';

/**
 * What each suite measures. Full sizes are bench/WORKLOADS.md's and the issue's; quick mode
 * keeps the smallest of each so the whole harness runs in a few minutes (CI keeps it alive; it
 * asserts no timing).
 */
export interface BenchConfig {
  readonly quick: boolean;
  readonly timing: TimingOptions;
  /**
   * W1 and W2 against the peers: every implementation in its own process, `rounds` interleaved
   * rounds per size, each process timing its steps with `timing`.
   */
  readonly peers: {
    readonly rounds: number;
    readonly timing: TimingOptions;
    /** Only these implementations run (`--gpu-only`, `--cpu-only`); all when absent. */
    readonly impls?: readonly string[];
    /** Threads of the spikeflow-wasm implementations (`--wasm-threads`). */
    readonly wasmThreads: number;
  };
  /** W1: batch 64, T per row; the agreement check runs at `checkT` (the smallest T). */
  readonly lifMlp: { readonly T: readonly number[]; readonly B: number; readonly checkT: number };
  /** W2: every (T, N); the agreement check runs at the first pair. */
  readonly psn: { readonly T: readonly number[]; readonly N: readonly number[] };
  readonly deviceLimits: {
    readonly matmulN: number;
    /** Back-to-back products per timed sample. */
    readonly products: number;
    readonly copyElements: number;
    readonly copies: number;
    /** The multi-step LIF whose forward+backward is reported against the copy bandwidth. */
    readonly lif: { readonly T: number; readonly N: number };
  };
  /** The WASM backend's matmul at n × n on each thread count, in `rounds` alternating rounds of `products` products per sample. */
  readonly wasmMatmul: { readonly n: number; readonly threads: readonly number[]; readonly rounds: number; readonly products: number };
  readonly psnVsLif: { readonly T: readonly number[]; readonly N: readonly number[] };
  /** LIF-MLP BPTT memory plan at batch B for each T, with and without checkpointing. */
  readonly memory: { readonly T: readonly number[]; readonly B: number };
  /** e-prop vs BPTT on one recurrent network: a train step per T, timed for `rounds` interleaved rounds. */
  readonly epropMemory: { readonly T: readonly number[]; readonly rounds: number };
  /** The trainer's non-finite check on W1's step: at T, batch B, timed for `rounds` interleaved rounds. */
  readonly finiteCheck: { readonly T: number; readonly B: number; readonly rounds: number };
  /** W1 from a fresh process to its first finished step, each WebGPU implementation in `rounds` interleaved rounds. */
  readonly coldStart: { readonly T: number; readonly B: number; readonly rounds: number };
  /** Per-kernel timing of the spikeflow executables (where the time goes). */
  readonly profile: boolean;
}

/** The implementations that run on the GPU: what `--gpu-only` keeps of W1 and W2. */
export const GPU_IMPLS = ['spikeflow', 'spikeflow-dense-x', 'tfjs-webgpu', 'jax-js-webgpu'] as const;

/** The implementations that run on the CPU: what `--cpu-only` keeps of W1 and W2 (full rounds and budgets). */
export const CPU_IMPLS = ['spikeflow-wasm', 'spikeflow-wasm-dense-x', 'tfjs-wasm', 'torch', 'jax-js-wasm'] as const;

/** Which implementations W1 and W2 run: all, the GPU ones or the CPU ones. */
export type ImplSelection = 'all' | 'gpu' | 'cpu';

/**
 * `selection` 'gpu' (scripts/bench-hardware-gpu.sh): W1 and W2 with the GPU implementations only, one
 * round, and shorter timing budgets, so that W1, W2 and W3 at full sizes fit in a few minutes on
 * a hardware GPU (the CPU peers' big sizes alone take longer; bench/README.md has the estimate).
 */
export function benchConfig(quick: boolean, selection: ImplSelection = 'all', wasmThreads = DEFAULT_WASM_THREADS): BenchConfig {
  const gpuOnly = selection === 'gpu';
  const impls = selection === 'gpu' ? GPU_IMPLS : selection === 'cpu' ? CPU_IMPLS : undefined;
  const peerTiming = quick ? { reps: 2, warmup: 0, budgetMs: 2_000, minReps: 1 } : gpuOnly ? { reps: 5, warmup: 1, budgetMs: 2_000, minReps: 2 } : { reps: 3, warmup: 1, budgetMs: 8_000, minReps: 2 };
  return {
    quick,
    timing: quick ? { reps: 3, warmup: 0, budgetMs: 3_000, minReps: 2 } : gpuOnly ? { reps: 7, warmup: 1, budgetMs: 3_000, minReps: 3 } : { reps: 7, warmup: 1, budgetMs: 20_000, minReps: 3 },
    peers: { rounds: quick || gpuOnly ? 1 : 3, timing: peerTiming, wasmThreads, ...(impls ? { impls } : {}) },
    lifMlp: { T: quick ? [8] : [8, 32, 128], B: 64, checkT: 8 },
    psn: { T: quick ? [8] : [8, 32, 128], N: quick ? [65536] : [65536, 262144] },
    deviceLimits: {
      matmulN: 1024,
      products: quick ? 1 : 3,
      copyElements: 16 * 1024 * 1024,
      copies: quick ? 2 : 8,
      lif: quick ? { T: 32, N: 65536 } : { T: 128, N: 65536 },
    },
    wasmMatmul: { n: 1024, threads: [1, 2], rounds: quick ? 1 : 3, products: quick ? 1 : 3 },
    psnVsLif: { T: quick ? [8, 32] : [8, 16, 32, 64, 128, 256], N: quick ? [4096] : [4096, 65536] },
    memory: { T: [32, 128, 512], B: 64 },
    epropMemory: quick ? { T: [16, 64], rounds: 2 } : { T: [128, 512, 2048], rounds: 3 },
    finiteCheck: quick ? { T: 8, B: 64, rounds: 3 } : { T: 32, B: 64, rounds: 40 },
    coldStart: { T: 32, B: 64, rounds: quick ? 1 : 3 },
    profile: true,
  };
}
