import { checkTrainingGraph, ExecutableStepRunner, type Graph } from '@spikeflow/core';
import { compile, type CompileOptions, type DeviceHandle, type Executable } from './executable.js';

export interface TrainStepOptions extends CompileOptions {
  /** The graph output holding the loss (default `loss`). */
  readonly loss?: string;
}

/**
 * A compiled training step on the GPU: core's `ExecutableStepRunner` over an Executable, so forward,
 * backward and update run as one submission and everything stays on the device, updated in place.
 * Reading the loss back is optional.
 */
export class TrainStep extends ExecutableStepRunner<Executable> {}

/** Compiles a training graph (loss plus in-place state updates) into one-submission steps. */
export async function compileTrainStep(graph: Graph, handle: DeviceHandle | GPUDevice, options: TrainStepOptions = {}): Promise<TrainStep> {
  const loss = options.loss ?? 'loss';
  checkTrainingGraph(graph, loss);
  return new TrainStep(await compile(graph, handle, options), loss);
}
