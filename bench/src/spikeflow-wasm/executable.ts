import type { Runner } from '@spikeflow/core';
import { WasmExecutable } from '@spikeflow/wasm';

/**
 * The WasmExecutable behind a runner of `nodeWasmBackend().compile`: its `run` can read only some
 * outputs (core's Runner reads every one), so a timed call need not copy W2's dX out each time.
 */
export function wasmExecutable(runner: Runner): WasmExecutable {
  if (!(runner instanceof WasmExecutable)) throw new Error('internal: the wasm backend compiled a runner that is not a WasmExecutable');
  return runner;
}
