import { fail, toArray, type FeedValue, type Graph, type HostTensor } from '@spikeflow/core';
import { compile, type CompileOptions, type DeviceHandle, type Executable } from './executable.js';

export interface TrainStepOptions extends CompileOptions {
  /** The graph output holding the loss (default `loss`). */
  readonly loss?: string;
}

/**
 * A compiled training step: a graph whose params and optimizer state are `state` leaves (see
 * `trainingGraph` in @spikeflow/models), so forward, backward and update run as one submission
 * and everything stays on the GPU, updated in place. Reading the loss back is optional.
 */
export class TrainStep {
  constructor(
    readonly executable: Executable,
    readonly lossName: string,
  ) {}

  /** One step, nothing read back: the queue keeps going while the caller prepares the next batch. */
  step(inputs: Readonly<Record<string, FeedValue>>): void {
    this.executable.submit(inputs);
  }

  /** One step whose loss is read back asynchronously once the GPU has finished it. */
  async stepWithLoss(inputs: Readonly<Record<string, FeedValue>>): Promise<number> {
    const out = await this.executable.run(inputs, [this.lossName]);
    return toArray(out[this.lossName]!)[0]!;
  }

  /** The current value of every state (trained params, optimizer slots, step counter, model state). */
  readState(names?: readonly string[]): Promise<Record<string, HostTensor>> {
    return this.executable.readState(names);
  }

  /** How many NaN or infinite values each named state holds, counted on the device (see Executable.countNonFinite). */
  countNonFinite(names: readonly string[]): Promise<Record<string, number>> {
    return this.executable.countNonFinite(names);
  }

  /** Replaces state values (e.g. from a checkpoint); every value is checked before any is written. */
  setState(values: Readonly<Record<string, FeedValue>>): void {
    this.executable.setState(values);
  }

  destroy(): void {
    this.executable.destroy();
  }
}

/** Compiles a training graph (loss plus in-place state updates) into one-submission steps. */
export async function compileTrainStep(graph: Graph, handle: DeviceHandle | GPUDevice, options: TrainStepOptions = {}): Promise<TrainStep> {
  const loss = options.loss ?? 'loss';
  if (!graph.outputs.some((o) => o.name === loss)) fail('interface', 'loss', `the training graph has no output named '${loss}'`, graph.outputs.map((o) => o.name).join(', '), loss);
  if (graph.state.length === 0) fail('interface', 'state', 'a training graph keeps its params and optimizer slots as state; this one has none (build it with trainingGraph)');
  return new TrainStep(await compile(graph, handle, options), loss);
}
