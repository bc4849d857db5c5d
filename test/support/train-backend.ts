// The backend for tests that train only to assert that learning happens: the one spikeflow's programs
// choose on a machine without a hardware GPU, the WebAssembly backend on all cores (several times
// faster than the CPU reference interpreter). Tests that take the interpreter as the oracle, or
// test it, keep cpuBackend(). A backend holds no threads itself: each runner it compiles starts its
// own and the trainers destroy them, so one backend serves a whole test file.
import type { TrainBackend } from '@spikeflow/core';
import { nodeWasmBackend } from '@spikeflow/wasm/node';

export function trainBackend(): TrainBackend {
  return nodeWasmBackend();
}
