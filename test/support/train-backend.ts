// The backend for tests that train only to assert that learning happens: the one spikeflow's programs
// choose on a machine without a hardware GPU, the WebAssembly backend on all cores (several times
// faster than the CPU reference interpreter). Tests that take the interpreter as the oracle, or
// test it, keep cpuBackend(). A backend holds no threads itself: each runner it compiles starts its
// own and the trainers destroy them, so one backend serves a whole test file.
import type { Graph, HostTensor, NamedFeeds, TrainBackend } from '@spikeflow/core';
import { nodeWasmBackend } from '@spikeflow/wasm/node';

export function trainBackend(): TrainBackend {
  return nodeWasmBackend();
}

/**
 * `steps` steps of a training graph on trainBackend(), its state starting from the initializers
 * with `seed` (as initParams does), step k fed `feeds(k)`; the values of the `names` states after.
 */
export async function trainedState(train: Graph, options: { readonly seed: number; readonly steps: number; readonly feeds: (step: number) => NamedFeeds; readonly names: readonly string[] }): Promise<Record<string, HostTensor>> {
  const runner = await trainBackend().compileTrainStep(train, { seed: options.seed });
  try {
    for (let k = 0; k < options.steps; k++) runner.step(options.feeds(k));
    return await runner.readState(options.names);
  } finally {
    runner.destroy();
  }
}
