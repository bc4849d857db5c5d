import { loadavg } from 'node:os';
import type { Timing } from './timing.js';

/** One line of bench/results/latest.json. Fields a workload does not have are null. */
export type Field = number | string | boolean | null;

export interface Row {
  /** e.g. `W1 LIF-MLP BPTT step`. */
  readonly workload: string;
  /** e.g. `spikeflow`, `tfjs-webgpu`, `tfjs-wasm`, `reference WGSL`. */
  readonly impl: string;
  readonly T: number | null;
  readonly B: number | null;
  readonly N: number | null;
  readonly ms_median: number | null;
  readonly ms_min: number | null;
  readonly ms_max: number | null;
  readonly reps: number;
  readonly device: string;
  /** Workload-specific: gflops, gbps, peak_bytes, first_run_ms, ... */
  readonly [field: string]: Field;
}

export interface Sizes {
  readonly T?: number;
  readonly B?: number;
  readonly N?: number;
}

/** A row from its identity, sizes, optional timing and extra fields. */
export function row(
  workload: string,
  impl: string,
  device: string,
  sizes: Sizes,
  timing: Timing | undefined,
  extra: Readonly<Record<string, Field>> = {},
): Row {
  return {
    workload,
    impl,
    T: sizes.T ?? null,
    B: sizes.B ?? null,
    N: sizes.N ?? null,
    ms_median: timing?.ms_median ?? null,
    ms_min: timing?.ms_min ?? null,
    ms_max: timing?.ms_max ?? null,
    reps: timing?.reps ?? 0,
    device,
    ...(timing === undefined ? {} : { first_run_ms: timing.first_run_ms }),
    // The machine may be shared: the 1-minute load average says how much to trust the row (a row
    // timed in other processes brings the load they saw).
    load_1min: loadavg()[0]!,
    ...extra,
  };
}
