import { fail, toArray, type FeedValue, type Graph, type HostTensor, type StepRunner, type TrainBackend } from '@spikeflow/core';
import { WasmExecutable, type WasmExecutableOptions } from './executable.js';

/**
 * A compiled training step: a graph whose params and optimizer state are `state` leaves (see
 * `trainingGraph` in @spikeflow/models); they stay in the shared memory, updated in place.
 */
export class WasmTrainStep implements StepRunner {
  constructor(
    readonly executable: WasmExecutable,
    readonly lossName: string,
  ) {}

  step(inputs: Readonly<Record<string, FeedValue>>): void {
    this.executable.submit(inputs);
  }

  async stepWithLoss(inputs: Readonly<Record<string, FeedValue>>): Promise<number> {
    const out = await this.executable.run(inputs, [this.lossName]);
    return toArray(out[this.lossName]!)[0]!;
  }

  readState(names?: readonly string[]): Promise<Record<string, HostTensor>> {
    return this.executable.readState(names);
  }

  setState(values: Readonly<Record<string, FeedValue>>): void {
    this.executable.setState(values);
  }

  /** How many NaN or infinite values each named state holds, counted in the shared memory (see WasmExecutable.countNonFinite). */
  countNonFinite(names: readonly string[]): Promise<Record<string, number>> {
    return this.executable.countNonFinite(names);
  }

  destroy(): void {
    this.executable.destroy();
  }
}

/** Compiles a training graph (loss plus in-place state updates) into steps on the threads. */
export async function compileWasmTrainStep(graph: Graph, options: WasmExecutableOptions & { readonly loss?: string } = {}): Promise<WasmTrainStep> {
  const loss = options.loss ?? 'loss';
  if (!graph.outputs.some((o) => o.name === loss)) fail('interface', 'loss', `the training graph has no output named '${loss}'`, graph.outputs.map((o) => o.name).join(', '), loss);
  if (graph.state.length === 0) fail('interface', 'state', 'a training graph keeps its params and optimizer slots as state; this one has none (build it with trainingGraph)');
  return new WasmTrainStep(await WasmExecutable.create(graph, options), loss);
}

/**
 * WebAssembly as a training backend (core's `TrainBackend`): a WasmTrainStep is its step runner
 * and a WasmExecutable its forward runner. Params and state are initialized as core's cpuBackend
 * initializes them, so the same seed starts the same run.
 */
export function wasmBackend(options: Omit<WasmExecutableOptions, 'seed'> = {}): TrainBackend {
  return {
    name: 'wasm',
    compileTrainStep: (graph, { seed, loss } = {}) => compileWasmTrainStep(graph, { ...options, ...(seed === undefined ? {} : { seed }), ...(loss === undefined ? {} : { loss }) }),
    compile: (graph, { seed } = {}) => WasmExecutable.create(graph, { ...options, ...(seed === undefined ? {} : { seed }) }),
  };
}
