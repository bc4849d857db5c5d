import type { NamedFeeds, StepRunner } from './backend.js';
import { fail } from './errors.js';
import type { Graph } from './graph.js';
import { toArray, type HostTensor } from './host-tensor.js';

/** What a backend's compiled program offers for training: the executable of the WebGPU and WebAssembly backends. */
export interface SteppableExecutable {
  /** One call, nothing read back. */
  submit(inputs: NamedFeeds): void;
  /** One call, resolving to the outputs named in `read`. */
  run(inputs: NamedFeeds, read?: readonly string[]): Promise<Record<string, HostTensor>>;
  readState(names?: readonly string[]): Promise<Record<string, HostTensor>>;
  setState(values: NamedFeeds): void;
  countNonFinite(names: readonly string[]): Promise<Record<string, number>>;
  destroy(): void;
}

/**
 * A compiled training step over a backend's executable: a graph whose params and optimizer state are
 * `state` leaves (see `trainingGraph` in @spikeflow/models), so forward, backward and update run as
 * one call and the state stays where the backend keeps it, updated in place.
 */
export class ExecutableStepRunner<E extends SteppableExecutable> implements StepRunner {
  constructor(
    readonly executable: E,
    readonly lossName: string,
  ) {}

  /** One step, nothing read back: a queue keeps going while the caller prepares the next batch. */
  step(inputs: NamedFeeds): void {
    this.executable.submit(inputs);
  }

  /** One step, resolving to its loss once it is done. */
  async stepWithLoss(inputs: NamedFeeds): Promise<number> {
    const out = await this.executable.run(inputs, [this.lossName]);
    return toArray(out[this.lossName]!)[0]!;
  }

  /** The current value of every state (trained params, optimizer slots, step counter, model state). */
  readState(names?: readonly string[]): Promise<Record<string, HostTensor>> {
    return this.executable.readState(names);
  }

  /** How many NaN or infinite values each named state holds, counted where the state lives. */
  countNonFinite(names: readonly string[]): Promise<Record<string, number>> {
    return this.executable.countNonFinite(names);
  }

  /** Replaces state values (e.g. from a checkpoint); every value is checked before any is written. */
  setState(values: NamedFeeds): void {
    this.executable.setState(values);
  }

  destroy(): void {
    this.executable.destroy();
  }
}

/** Checks that `graph` is a training graph with a loss output named `loss`, before any backend compiles it. */
export function checkTrainingGraph(graph: Graph, loss: string): void {
  if (!graph.outputs.some((o) => o.name === loss)) fail('interface', 'loss', `the training graph has no output named '${loss}'`, graph.outputs.map((o) => o.name).join(', '), loss);
  if (graph.state.length === 0) fail('interface', 'state', 'a training graph keeps its params and optimizer slots as state; this one has none (build it with trainingGraph)');
}
