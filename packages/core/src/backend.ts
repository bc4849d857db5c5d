import type { Graph } from './graph.js';
import type { FeedValue } from './feed-check.js';
import type { HostTensor } from './host-tensor.js';

/**
 * What training code needs from a backend. It lives in core because both sides depend on core
 * and on nothing else: the trainer (@spikeflow/models) is written against it, and each backend
 * (the CPU reference in core's interpreter, WebGPU in @spikeflow/webgpu) satisfies it without importing the
 * other.
 */

/** Values by leaf name: inputs of one call, or params or state to upload. */
export type NamedFeeds = Readonly<Record<string, FeedValue>>;

export interface RunnerOptions {
  /** Seed of the params' and state's initializers, so the same seed starts the same run on every backend. */
  readonly seed?: number;
}

export interface StepRunnerOptions extends RunnerOptions {
  /** The graph output holding the loss (default `loss`). */
  readonly loss?: string;
}

/**
 * A compiled training graph (see `trainingGraph`): trained params and optimizer slots are its
 * state, kept by the runner between calls and updated by each step.
 */
export interface StepRunner {
  /** One step; nothing is read back, so a GPU queue keeps going. */
  step(inputs: NamedFeeds): void;
  /** One step, resolving to its loss. */
  stepWithLoss(inputs: NamedFeeds): Promise<number>;
  /** Copies of the current state values (all by default). */
  readState(names?: readonly string[]): Promise<Record<string, HostTensor>>;
  /** Replaces state values; every value is checked before any is written. */
  setState(values: NamedFeeds): void;
  /**
   * How many NaN or infinite values each named f32 state holds. Optional: a GPU backend counts on
   * the device and reads back only the counts; without it, the trainer reads the state and counts
   * on the host.
   */
  countNonFinite?(names: readonly string[]): Promise<Record<string, number>>;
  destroy(): void;
}

/** A compiled forward graph whose params are set from outside (e.g. the trained values). */
export interface Runner {
  /** One call; resolves to every output. */
  run(inputs: NamedFeeds): Promise<Record<string, HostTensor>>;
  /** Replaces param values; every value is checked before any is written. */
  setParams(values: NamedFeeds): void;
  /** Sets every state to its initializer: the next call starts a fresh episode. */
  resetState(): void;
  destroy(): void;
}

export interface TrainBackend {
  /** For logs and metrics, e.g. `cpu` or `webgpu`. */
  readonly name: string;
  compileTrainStep(graph: Graph, options?: StepRunnerOptions): Promise<StepRunner>;
  compile(graph: Graph, options?: RunnerOptions): Promise<Runner>;
}
