import { trace, type Graph, type Tensor } from '@spikeflow/core';
import { buildLif, buildLinear, lif, linear } from '@spikeflow/models';
import type { KernelTime } from '../gpu/kernel-profile.js';
import { Rng } from '../harness/rng.js';

/**
 * W1 of bench/WORKLOADS.md, "LIF-MLP BPTT training step": x [T, B, 784] Bernoulli(0.2) spikes,
 * W1 [784, 256] ~ U(±0.25), W2 [256, 10] ~ U(±0.6), two multi-step LIF layers (tau 2, V_th 1,
 * hard reset to 0, detach_reset, ATan a = 2), firing rates over time as logits, softmax
 * cross-entropy with a batch mean, plain SGD with lr 0.1.
 */
export const LIF_MLP = { inputs: 784, hidden: 256, classes: 10, w1Bound: 0.25, w2Bound: 0.6, inputRate: 0.2, lr: 0.1 } as const;

/** The LIF of the workload: SpikingJelly's LIFNode(tau=2, decay_input, v_threshold=1, v_reset=0, detach_reset). */
export const WORKLOAD_LIF = lif({ tau: 2, vThreshold: 1, vReset: 0, detachReset: true, surrogate: 'atan', alpha: 2 });

/** Param names in the spikeflow graph (the linear layers' `w` under their scopes). */
export const LIF_MLP_PARAMS = { w1: 'fc1/w', w2: 'fc2/w' } as const;

export interface LifMlpFixture {
  readonly T: number;
  readonly B: number;
  readonly x: Float32Array<ArrayBuffer>;
  readonly labels: Int32Array<ArrayBuffer>;
  readonly w1: Float32Array<ArrayBuffer>;
  readonly w2: Float32Array<ArrayBuffer>;
}

/** The workload's data; `grid` rounds the weights to multiples of 1/grid (see lifMlpIsExact). */
export function lifMlpFixture(T: number, B: number, seed: number, grid?: number): LifMlpFixture {
  const rng = new Rng(seed);
  const { inputs, hidden, classes } = LIF_MLP;
  return {
    T,
    B,
    x: rng.bernoulli(T * B * inputs, LIF_MLP.inputRate),
    labels: rng.ints(B, classes),
    w1: rng.uniform(inputs * hidden, -LIF_MLP.w1Bound, LIF_MLP.w1Bound, grid),
    w2: rng.uniform(hidden * classes, -LIF_MLP.w2Bound, LIF_MLP.w2Bound, grid),
  };
}

/** -mean_b log_softmax(r)[b, y_b], with the row max subtracted as a constant so exp cannot overflow. */
function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const shifted = logits.sub(logits.max(-1, true).stopGradient());
  const logProbs = shifted.sub(shifted.exp().sum(-1, true).log());
  return logProbs.mul(labels.oneHot(logits.shape[1]!)).sum().neg().div(logits.shape[0]!);
}

/**
 * The forward graph, traced: inputs `x` and `y` (i32 labels), params `fc1/w` and `fc2/w`, outputs
 * `loss` and both layers' firing rates. linear(in, out, initScale) has bound initScale/sqrt(in),
 * so 7/sqrt(784) = 0.25 and 9.6/sqrt(256) = 0.6 are the workload's init.
 */
export function lifMlpModel(T: number, B: number): Graph {
  const { inputs, hidden, classes, w1Bound, w2Bound } = LIF_MLP;
  return trace((b) => {
    const x = b.input('x', [T, B, inputs]);
    const y = b.input('y', [B], 'i32');
    const h1 = b.scope('fc1', () => buildLinear(b, x, linear(inputs, hidden, { initScale: w1Bound * Math.sqrt(inputs) })));
    const s1 = b.scope('lif1', () => buildLif(b, h1, WORKLOAD_LIF));
    const h2 = b.scope('fc2', () => buildLinear(b, s1, linear(hidden, classes, { initScale: w2Bound * Math.sqrt(hidden) })));
    const s2 = b.scope('lif2', () => buildLif(b, h2, WORKLOAD_LIF));
    return { loss: softmaxCrossEntropy(s2.mean(0), y), rate1: s1.mean(), rate2: s2.mean() };
  });
}

/** Multi-step LIF in float64 over h [T, M]; calls `visit` with every charged membrane H_t. */
function hostLif(h: Float64Array, T: number, M: number, visit: (v: number) => void): Float64Array {
  const s = new Float64Array(T * M);
  const v = new Float64Array(M);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < M; i++) {
      const charged = v[i]! + (h[t * M + i]! - v[i]!) / 2;
      visit(charged);
      const spike = charged >= 1 ? 1 : 0;
      s[t * M + i] = spike;
      v[i] = charged * (1 - spike);
    }
  }
  return s;
}

function hostMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += aip * b[p * n + j]!;
    }
  }
  return out;
}

/** The fixture's forward pass in float64: whether it is exact in float32, and both layers' firing rates. */
export interface LifMlpHostForward {
  /**
   * Whether every float32 implementation computes the same spikes, bit for bit. Spikes are a step
   * function, so implementations can only be compared where no spike is decided by rounding. With
   * 0/1 inputs and weights on a 1/64 grid, every product, every partial sum of a matmul (in any
   * order: they stay far below 2^24 grid steps) and every halving of the LIF charge over a few
   * steps is exact in float32; this checks that each value computed in float64 is a float32.
   */
  readonly exact: boolean;
  readonly rate1: number;
  readonly rate2: number;
}

export function lifMlpHostForward(f: LifMlpFixture): LifMlpHostForward {
  const { inputs, hidden, classes } = LIF_MLP;
  let exact = true;
  const visit = (v: number) => (exact &&= Math.fround(v) === v);
  const mean = (a: Float64Array) => a.reduce((sum, v) => sum + v, 0) / a.length;
  const h1 = hostMatmul(f.x, f.w1, f.T * f.B, inputs, hidden);
  h1.forEach(visit);
  const s1 = hostLif(h1, f.T, f.B * hidden, visit);
  const h2 = hostMatmul(s1, f.w2, f.T * f.B, hidden, classes);
  h2.forEach(visit);
  const s2 = hostLif(h2, f.T, f.B * classes, visit);
  return { exact, rate1: mean(s1), rate2: mean(s2) };
}

/** Matmul FLOPs of one step: x@W1 and s1@W2 forward; dW1, dW2 and ds1 backward (x needs no gradient). */
export function lifMlpStepFlops(T: number, B: number): number {
  const { inputs, hidden, classes } = LIF_MLP;
  return 2 * T * B * (2 * inputs * hidden + 3 * hidden * classes);
}

/** Loss and gradients at the fixture's weights, without an update. */
export interface LifMlpGradients {
  readonly loss: number;
  readonly w1: Float32Array;
  readonly w2: Float32Array;
}

/** One implementation of W1, set up on one fixture. */
export interface LifMlpRunner {
  gradients(): Promise<LifMlpGradients>;
  /** One training step (forward, backward, SGD update), resolving to the loss read back. */
  step(): Promise<number>;
  /** The current weights (after the steps so far). */
  weights(): Promise<{ readonly w1: Float32Array; readonly w2: Float32Array }>;
  /** Where a step's time goes, kernel by kernel (implementations that can tell). */
  kernels?(): Promise<readonly KernelTime[]>;
  dispose(): void;
}

export interface LifMlpImpl {
  readonly impl: string;
  readonly device: string;
  create(fixture: LifMlpFixture): Promise<LifMlpRunner>;
}
