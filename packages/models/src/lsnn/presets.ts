import type { LsnnOptions } from './network.js';

type Overrides = Partial<LsnnOptions>;

/**
 * The reference sequential-MNIST LSNN (Bellec et al. 2018): 120 LIF + 100 ALIF neurons, τ_m = 20 ms,
 * τ_a = 700 ms, β = 1.8, b₀ = 0.01, refractory period 5 ms, dt = 1 ms, 10 classes. One input by
 * default: pixel by pixel, as `sequentialMnist(data, { encoding: 'pixel' })` feeds it (T = 784).
 */
export function smnistLsnn(overrides: Overrides = {}): LsnnOptions {
  return { inputs: 1, outputs: 10, nLif: 120, nAlif: 100, tauM: 20, tauA: 700, beta: 1.8, b0: 0.01, refractory: 5, dt: 1, ...overrides };
}

/**
 * The reference code's store-recall LSNN (IGITUGraz/LSNN-official, tutorial_storerecall_with_LSNN):
 * 10 LIF + 10 ALIF neurons, τ_m = τ_out = 20 ms, τ_a = 1200 ms, β = 1.7, b₀ = 0.01, 3 refractory
 * steps, dt = 1 ms, and a readout without bias. Inputs and outputs follow the task, e.g.
 * `storeRecall()`'s `info.inputSize` and `info.outputSize`.
 */
export function storeRecallLsnn(sizes: { readonly inputs: number; readonly outputs: number }, overrides: Overrides = {}): LsnnOptions {
  return { ...sizes, nLif: 10, nAlif: 10, tauM: 20, tauOut: 20, tauA: 1200, beta: 1.7, b0: 0.01, refractory: 3, dt: 1, readoutBias: false, ...overrides };
}
