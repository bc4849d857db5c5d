/**
 * Progress of compiling a graph's kernels, for a caller to show while it waits (a first compile on
 * a software GPU can take minutes). Identical kernels share one pipeline, so `total` counts unique
 * pipelines; one already compiled on the device counts as done in the first event.
 */
export interface CompileProgress {
  /** Unique pipelines ready to dispatch. */
  readonly done: number;
  /** Unique pipelines the graph needs. */
  readonly total: number;
  /** The kernel that just became ready (its node's scope path); absent on the first event, sent before any finishes. */
  readonly label?: string;
}

/** Called once before compiling starts (`done` counting the cached pipelines), then once per pipeline as it becomes ready. */
export type CompileProgressCallback = (event: CompileProgress) => void;
