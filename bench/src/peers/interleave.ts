import { median, timingOf, type Timing } from '../harness/timing.js';

/** An implementation that could not run (missing, or its process failed): dropped with one line. */
export class PeerUnavailable extends Error {
  override readonly name = 'PeerUnavailable';
}

export interface Rounds<R> {
  /** Each implementation's results, one per round it ran, in order. */
  readonly results: ReadonlyMap<string, readonly R[]>;
  /** Implementations dropped along the way, with the reason. */
  readonly dropped: ReadonlyMap<string, string>;
}

/**
 * Runs every implementation once per round, in the same order each round (A, B, C, A, B, C), so a
 * change of load on a shared machine hits them all alike. `run` throwing PeerUnavailable drops
 * that implementation from the later rounds; any other error stops everything.
 */
export async function interleavedRounds<R>(impls: readonly string[], rounds: number, run: (impl: string, round: number) => Promise<R>): Promise<Rounds<R>> {
  const results = new Map<string, R[]>(impls.map((impl) => [impl, []]));
  const dropped = new Map<string, string>();
  for (let round = 0; round < rounds; round++) {
    for (const impl of impls) {
      if (dropped.has(impl)) continue;
      try {
        results.get(impl)!.push(await run(impl, round));
      } catch (error) {
        if (!(error instanceof PeerUnavailable)) throw error;
        dropped.set(impl, error.message);
        results.delete(impl);
      }
    }
  }
  return { results, dropped };
}

/** What one process of an implementation measured. */
export interface ProcessTiming {
  readonly first_ms: number;
  readonly samples: readonly number[];
  readonly load_1min: number;
}

/**
 * One implementation's timing over all its processes: median, min and max of every timed sample;
 * the first call of the first process (the others may find shaders a driver cached); the median
 * of the processes' load averages.
 */
export function mergeRounds(processes: readonly ProcessTiming[]): Timing & { readonly load_1min: number; readonly processes: number } {
  if (processes.length === 0) throw new Error('internal: no process timed this implementation');
  return {
    ...timingOf(processes.flatMap((p) => p.samples), processes[0]!.first_ms),
    load_1min: median(processes.map((p) => p.load_1min)),
    processes: processes.length,
  };
}
