/**
 * Wall-clock timing of one blocking step (it resolves only once the device has finished). The
 * first call is reported on its own: on lavapipe it compiles every shader it meets (1-6 s for a
 * big matmul), which says nothing about the steady state.
 */
export interface Timing {
  readonly ms_median: number;
  readonly ms_min: number;
  readonly ms_max: number;
  readonly reps: number;
  /** The first call alone: shader compilation, pipeline warm-up and one step. */
  readonly first_run_ms: number;
}

export interface TimingOptions {
  /** Timed repetitions wanted. */
  readonly reps: number;
  /** Untimed calls after the first, before the timed ones. */
  readonly warmup: number;
  /** Stop repeating once this many ms of timed calls have run (after at least `minReps`). */
  readonly budgetMs: number;
  readonly minReps: number;
}

export async function timeSteps(step: () => Promise<unknown>, options: TimingOptions): Promise<Timing> {
  const { first, samples } = await sampleSteps(step, options);
  return timingOf(samples, first);
}

/** The first call's ms and the timed samples' (for timings merged over several processes). */
export async function sampleSteps(step: () => Promise<unknown>, options: TimingOptions): Promise<{ first: number; samples: number[] }> {
  const t0 = performance.now();
  await step();
  const first = performance.now() - t0;
  for (let k = 0; k < options.warmup; k++) await step();
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < options.reps && (samples.length < options.minReps || spent < options.budgetMs)) {
    const start = performance.now();
    await step();
    const ms = performance.now() - start;
    samples.push(ms);
    spent += ms;
  }
  return { first, samples };
}

/** The median of the values that are numbers (NaN when none is). */
export function median(values: readonly number[]): number {
  const sorted = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median, min and max of timed samples (ms), with the untimed first call apart. */
export function timingOf(samples: readonly number[], first: number): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { ms_median: median(sorted), ms_min: sorted[0]!, ms_max: sorted[sorted.length - 1]!, reps: samples.length, first_run_ms: first };
}
