import type { BenchContext } from '../context.js';
import { kernelRows, type KernelTime } from '../gpu/kernel-profile.js';
import { row, type Field, type Row, type Sizes } from '../harness/row.js';
import { timeSteps, type Timing } from '../harness/timing.js';

/** What a suite times: a blocking step, optionally a kernel profile, and cleanup. */
export interface TimedRunner {
  step(): Promise<unknown>;
  kernels?(): Promise<readonly KernelTime[]>;
  dispose(): void;
}

/**
 * Times one implementation's runner, then (for spikeflow, when profiling is on) where its step's
 * time goes; returns the timing row and the kernel rows.
 */
export async function timeRunner(
  ctx: BenchContext,
  workload: string,
  impl: { readonly impl: string; readonly device: string },
  sizes: Sizes,
  runner: TimedRunner,
  fields: (timing: Timing) => Readonly<Record<string, Field>> = () => ({}),
): Promise<Row[]> {
  try {
    const timing = await timeSteps(() => runner.step(), ctx.config.timing);
    const size = Object.entries(sizes).map(([k, v]) => `${k} = ${v}`).join(', ');
    ctx.log(`  ${impl.impl} ${size}: median ${timing.ms_median.toFixed(1)} ms, min ${timing.ms_min.toFixed(1)} ms (first ${timing.first_run_ms.toFixed(0)} ms)`);
    const rows = [row(workload, impl.impl, impl.device, sizes, timing, fields(timing))];
    if (ctx.config.profile && runner.kernels) rows.push(...kernelRows(workload, impl.device, sizes, await runner.kernels()));
    return rows;
  } finally {
    runner.dispose();
  }
}
