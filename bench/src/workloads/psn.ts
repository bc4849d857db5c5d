import type { KernelTime } from '../gpu/kernel-profile.js';
import { Rng } from '../harness/rng.js';

/**
 * W2 of bench/WORKLOADS.md, "PSN forward+backward": H = W @ X + b[:, None], S = heaviside(H)
 * with the ATan surrogate, loss = sum(S * G); one step yields dW, db and dX. The spikeflow graph
 * is the PSN layer of ./spiking-layers.ts.
 */

/** W2's data: X, G ~ U(-1, 1), W ~ U(±1/sqrt(T)), b ~ U(-0.5, 0.5). */
export interface PsnFixture {
  readonly T: number;
  readonly N: number;
  readonly x: Float32Array<ArrayBuffer>;
  readonly w: Float32Array<ArrayBuffer>;
  readonly b: Float32Array<ArrayBuffer>;
  readonly g: Float32Array<ArrayBuffer>;
}

/** The workload's data; `grid` rounds X, W and b to multiples of 1/grid (see psnIsExact). */
export function psnFixture(T: number, N: number, seed: number, grid?: number): PsnFixture {
  const rng = new Rng(seed);
  const bound = 1 / Math.sqrt(T);
  return {
    T,
    N,
    x: rng.uniform(T * N, -1, 1, grid),
    w: rng.uniform(T * T, -bound, bound, grid),
    b: rng.uniform(T, -0.5, 0.5, grid),
    g: rng.uniform(T * N, -1, 1),
  };
}

/**
 * Whether every float32 implementation computes the same spikes: with X, W and b on a 1/64 grid
 * and small T, every product and partial sum of H is exact in float32 whatever the order, so no
 * spike is decided by rounding. Checked in float64: each H must be a float32.
 */
export function psnIsExact(f: PsnFixture): boolean {
  for (let t = 0; t < f.T; t++) {
    for (let n = 0; n < f.N; n++) {
      let h = f.b[t]!;
      for (let k = 0; k < f.T; k++) h += f.w[t * f.T + k]! * f.x[k * f.N + n]!;
      if (Math.fround(h) !== h) return false;
    }
  }
  return true;
}

/** Loss and gradients of W2. */
export interface PsnGradients {
  readonly loss: number;
  readonly w: Float32Array;
  readonly b: Float32Array;
  readonly x: Float32Array;
}

/** One implementation of W2, set up on one fixture. */
export interface PsnRunner {
  gradients(): Promise<PsnGradients>;
  /** Forward and backward, resolving once every gradient is computed (to the loss). */
  step(): Promise<number>;
  /** Where a step's time goes, kernel by kernel (implementations that can tell). */
  kernels?(): Promise<readonly KernelTime[]>;
  dispose(): void;
}

export interface PsnImpl {
  readonly impl: string;
  readonly device: string;
  create(fixture: PsnFixture): Promise<PsnRunner>;
}

/** Matmul FLOPs of one step: H = W X, then dW = dH X^T and dX = W^T dH. */
export function psnStepFlops(T: number, N: number): number {
  return 6 * T * T * N;
}
