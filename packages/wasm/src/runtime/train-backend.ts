import { checkTrainingGraph, ExecutableStepRunner, type Graph, type TrainBackend } from '@spikeflow/core';
import { WasmExecutable, type WasmExecutableOptions } from './executable.js';

/**
 * A compiled training step on the threads: core's `ExecutableStepRunner` over a WasmExecutable,
 * params and optimizer state kept in the shared memory and updated in place.
 */
export class WasmTrainStep extends ExecutableStepRunner<WasmExecutable> {}

/** Compiles a training graph (loss plus in-place state updates) into steps on the threads. */
export async function compileWasmTrainStep(graph: Graph, options: WasmExecutableOptions & { readonly loss?: string } = {}): Promise<WasmTrainStep> {
  const loss = options.loss ?? 'loss';
  checkTrainingGraph(graph, loss);
  return new WasmTrainStep(await WasmExecutable.create(graph, options), loss);
}

/**
 * WebAssembly as a training backend (core's `TrainBackend`): a WasmTrainStep is its step runner
 * and a WasmExecutable its forward runner. Params and state are initialized as core's cpuBackend
 * initializes them, so the same seed starts the same run. `options` hold for every graph it
 * compiles, as webgpuBackend's do: `wasmBackend({ spikeInputs: ['x'] })` declares x spikes in the
 * training step and the forward runner alike (core's StepRunnerOptions carry only seed and loss).
 */
export function wasmBackend(options: Omit<WasmExecutableOptions, 'seed'> = {}): TrainBackend {
  return {
    name: 'wasm',
    compileTrainStep: (graph, { seed, loss } = {}) => compileWasmTrainStep(graph, { ...options, ...(seed === undefined ? {} : { seed }), ...(loss === undefined ? {} : { loss }) }),
    compile: (graph, { seed } = {}) => WasmExecutable.create(graph, { ...options, ...(seed === undefined ? {} : { seed }) }),
  };
}
