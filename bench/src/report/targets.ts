import type { Row } from '../harness/row.js';
import { BPTT_MEMORY_WORKLOAD, DEFAULT_SPIKE_STORAGE } from '../suites/bptt-memory.js';
import { COPY_WORKLOAD, LIF_BANDWIDTH_WORKLOAD, MATMUL_WORKLOAD } from '../suites/device-limits.js';
import { COLD_START_WORKLOAD } from '../suites/cold-start.js';
import { LIF_MLP_WORKLOAD } from '../suites/lif-mlp.js';
import { PSN_WORKLOAD } from '../suites/psn.js';
import { WASM_MATMUL_GFLOPS_GOAL, WASM_MATMUL_WORKLOAD } from '../suites/wasm-matmul.js';
import { FINITE_CHECK_BUDGET, FINITE_CHECK_WORKLOAD } from '../suites/finite-check.js';
import { isSpikeflow } from './peer-tables.js';

/** One measured ratio against its target from an issue (7: the first speed targets; 22: WebGPU at the device's limits). */
export interface TargetCheck {
  readonly issue: 7 | 22;
  readonly target: string;
  readonly case: string;
  readonly measured: number;
  readonly goal: number;
  /** Whether bigger is better (speed-ups) or smaller (memory overhead). */
  readonly higherIsBetter: boolean;
}

/**
 * Issue 22's absolute goals on lavapipe: a register-blocked matmul without workgroup memory measured
 * 10.8 GFLOP/s at n = 1,024 there, a vec4 copy 3.4 GB/s. On another device these rows say nothing.
 */
export const LAVAPIPE_MATMUL_GFLOPS_GOAL = 10;
export const LAVAPIPE_COPY_GBPS_GOAL = 3;

export const met = (t: TargetCheck) => (t.higherIsBetter ? t.measured >= t.goal : t.measured <= t.goal);

const ms = (r: Row | undefined) => r?.ms_median ?? undefined;
const sizeOf = (r: Row) => [r.T === null ? '' : `T = ${r.T}`, r.B === null ? '' : `B = ${r.B}`, r.N === null ? '' : `N = ${r.N}`].filter(Boolean).join(', ');

export function targetChecks(rows: readonly Row[]): TargetCheck[] {
  const of = (workload: string) => rows.filter((r) => r.workload === workload);
  const checks: TargetCheck[] = [];

  const sameSize = (a: Row, b: Row) => a.T === b.T && a.B === b.B && a.N === b.N;
  /** Ours against the fastest rival at each size (goal: that many times faster); the case names that rival. */
  const speedups = (workload: string, target: string, ours: string, rivals: (r: Row) => boolean, goal = 5, issue: 7 | 22 = 7) => {
    const all = of(workload);
    for (const own of all.filter((r) => r.impl === ours)) {
      const timed = all.filter((r) => rivals(r) && sameSize(r, own) && ms(r) !== undefined);
      const ownMs = ms(own);
      if (timed.length === 0 || ownMs === undefined) continue;
      const fastest = timed.reduce((a, b) => (ms(b)! < ms(a)! ? b : a));
      checks.push({ issue, target, case: `${sizeOf(own)} (${fastest.impl})`, measured: ms(fastest)! / ownMs, goal, higherIsBetter: true });
    }
  };
  // W1 for both of spikeflow's ways of taking x (declared spikes, and dense), against every peer.
  for (const [impl, how] of [['spikeflow', 'x as spikes'], ['spikeflow-dense-x', 'x dense']] as const) {
    speedups(LIF_MLP_WORKLOAD, `W1 step: spikeflow (${how}) vs the fastest peer`, impl, (r) => !isSpikeflow(r.impl));
  }
  // (Issue 7's W2 goal against tfjs-webgpu, 5×, is superseded by issue 22's 2.5× below.)
  speedups(PSN_WORKLOAD, 'W2 fwd+bwd: spikeflow vs the fastest peer', 'spikeflow', (r) => !isSpikeflow(r.impl));

  // The WebAssembly backend against the CPU peers: faster than each (goal 1×), and 5× tfjs-wasm on W1 with spike inputs.
  for (const [impl, how] of [['spikeflow-wasm', 'x as spikes'], ['spikeflow-wasm-dense-x', 'x dense']] as const) {
    speedups(LIF_MLP_WORKLOAD, `W1 step: spikeflow-wasm (${how}) vs PyTorch CPU`, impl, (r) => r.impl === 'torch', 1);
  }
  speedups(LIF_MLP_WORKLOAD, 'W1 step: spikeflow-wasm (x as spikes) vs tfjs-wasm', 'spikeflow-wasm', (r) => r.impl === 'tfjs-wasm');
  speedups(PSN_WORKLOAD, 'W2 fwd+bwd: spikeflow-wasm vs jax-js-wasm and PyTorch CPU', 'spikeflow-wasm', (r) => r.impl === 'jax-js-wasm' || r.impl === 'torch', 1);
  for (const r of of(WASM_MATMUL_WORKLOAD).filter((x) => x.threads === 2)) {
    checks.push({ issue: 7, target: 'WASM matmul on 2 threads: GFLOP/s / 40', case: sizeOf(r), measured: Number(r.gflops) / WASM_MATMUL_GFLOPS_GOAL, goal: 1, higherIsBetter: true });
  }

  const matmul = of(MATMUL_WORKLOAD);
  const sfMatmul = matmul.find((r) => r.impl === 'spikeflow');
  const refs = matmul.filter((r) => r.impl === 'reference WGSL').map((r) => Number(r.gflops));
  if (sfMatmul && refs.length > 0) {
    checks.push({ issue: 7, target: 'matmul: spikeflow vs the best simple tiled WGSL', case: sizeOf(sfMatmul), measured: Number(sfMatmul.gflops) / Math.max(...refs), goal: 1.5, higherIsBetter: true });
  }

  for (const r of of(LIF_BANDWIDTH_WORKLOAD)) {
    checks.push({ issue: 7, target: 'multi-step LIF fwd+bwd: fraction of copy bandwidth', case: sizeOf(r), measured: Number(r.fraction_of_copy), goal: 0.7, higherIsBetter: true });
  }

  const memory = of(BPTT_MEMORY_WORKLOAD);
  const storage = (r: Row) => String(r.spike_storage);
  for (const bits of memory.filter((r) => storage(r) === DEFAULT_SPIKE_STORAGE && r.checkpoint_every === null)) {
    const f32 = memory.find((r) => storage(r) === 'f32' && r.checkpoint_every === null && sameSize(r, bits));
    if (f32) checks.push({ issue: 7, target: 'saved spike bytes: float32 / bit-packed', case: sizeOf(bits), measured: Number(f32.saved_spike_bytes) / Number(bits.saved_spike_bytes), goal: 30, higherIsBetter: true });
  }
  for (const r of memory.filter((x) => storage(x) === DEFAULT_SPIKE_STORAGE)) {
    const ckpt = r.checkpoint_every === null ? 'no checkpoints' : `checkpoint every ${r.checkpoint_every}`;
    checks.push({ issue: 7, target: 'BPTT planned peak vs resident + saved tensors', case: `${sizeOf(r)}, ${ckpt}`, measured: Number(r.peak_over_resident_plus_saved), goal: 1.25, higherIsBetter: false });
  }
  // The budget is stated for T = 32 (quick mode's T = 8 step is a quarter as long).
  for (const r of of(FINITE_CHECK_WORKLOAD).filter((x) => x.T === 32 && typeof x.paired_overhead === 'number')) {
    checks.push({ issue: 7, target: 'W1 step: with / without the non-finite check', case: sizeOf(r), measured: 1 + Number(r.paired_overhead), goal: 1 + FINITE_CHECK_BUDGET, higherIsBetter: false });
  }

  // Issue 22: the WebGPU kernels against absolute rates it set from the best hand-written kernels
  // measured on lavapipe (so they mean something on that device only), and the WebGPU steps against the peers.
  if (sfMatmul) checks.push({ issue: 22, target: `matmul: spikeflow GFLOP/s / ${LAVAPIPE_MATMUL_GFLOPS_GOAL}`, case: sizeOf(sfMatmul), measured: Number(sfMatmul.gflops) / LAVAPIPE_MATMUL_GFLOPS_GOAL, goal: 1, higherIsBetter: true });
  const copy = of(COPY_WORKLOAD).find((r) => r.impl === 'spikeflow');
  if (copy) checks.push({ issue: 22, target: `elementwise y = 2x: spikeflow GB/s / ${LAVAPIPE_COPY_GBPS_GOAL}`, case: sizeOf(copy), measured: Number(copy.gbps) / LAVAPIPE_COPY_GBPS_GOAL, goal: 1, higherIsBetter: true });
  speedups(LIF_MLP_WORKLOAD, 'W1 step: spikeflow (x dense) vs PyTorch CPU', 'spikeflow-dense-x', (r) => r.impl === 'torch', 1, 22);
  speedups(PSN_WORKLOAD, 'W2 fwd+bwd: spikeflow vs tfjs-webgpu', 'spikeflow', (r) => r.impl === 'tfjs-webgpu', 2.5, 22);
  speedups(PSN_WORKLOAD, 'W2 fwd+bwd: spikeflow vs PyTorch CPU', 'spikeflow', (r) => r.impl === 'torch', 1, 22);
  const cold = of(COLD_START_WORKLOAD);
  const [sfCold, tfCold] = [cold.find((r) => r.impl === 'spikeflow'), cold.find((r) => r.impl === 'tfjs-webgpu')];
  if (sfCold && tfCold && ms(sfCold) !== undefined && ms(tfCold) !== undefined) {
    checks.push({ issue: 22, target: 'W1 cold start: spikeflow / tfjs-webgpu (seconds, medians)', case: sizeOf(sfCold), measured: ms(sfCold)! / ms(tfCold)!, goal: 1, higherIsBetter: false });
  }
  return checks;
}
