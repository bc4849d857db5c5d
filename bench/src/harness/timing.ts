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
  return timingOf(samples, first);
}

/** Median, min and max of timed samples (ms), with the untimed first call apart. */
export function timingOf(samples: readonly number[], first: number): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { ms_median: median, ms_min: sorted[0]!, ms_max: sorted[sorted.length - 1]!, reps: samples.length, first_run_ms: first };
}
