import { nodeWasmBackend } from '@spikeflow/wasm/node';
import { backendLifMlp } from '../spikeflow/backend-lif-mlp.js';
import type { LifMlpImpl } from '../workloads/lif-mlp.js';

/**
 * W1 on the WebAssembly CPU backend (`nodeWasmBackend` on `threads` threads; see backendLifMlp),
 * params kept in the shared memory. With `spikeX`, x is declared spikes (`spikeInputs: ['x']`, as
 * the WebGPU `spikeflow` is compiled), so x·W1 and xᵀ·dH1 take the zero-skipping spike matmul;
 * without it only the hidden spikes take that path.
 */
export function wasmLifMlp(impl: string, threads: number, spikeX: boolean): LifMlpImpl {
  const backend = nodeWasmBackend({ threads, ...(spikeX ? { spikeInputs: ['x'] } : {}) });
  return backendLifMlp(impl, `CPU via WebAssembly SIMD (${threads} thread${threads === 1 ? '' : 's'})`, backend);
}
