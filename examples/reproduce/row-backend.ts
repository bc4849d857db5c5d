/**
 * The backend a results row ran on. The runner writes it into the row's device text, and the
 * results file reads it back from there, so rows written before there was a choice of backend
 * (WebGPU or the CPU interpreter) are read the same way as new ones.
 */
import type { BackendKind, ChosenBackend } from '@spikeflow/webgpu';
import type { ResultRow } from './experiment.js';

/** The device text of rows that ran on the CPU reference interpreter. */
export const CPU_INTERPRETER_DEVICE = 'CPU reference interpreter';

/** The device text of rows trained on `chosen`: it starts with the words `backendKindOf` reads back. */
export function deviceText(chosen: ChosenBackend): string {
  switch (chosen.kind) {
    case 'webgpu':
      return `WebGPU (${chosen.ctx.adapterInfo})`;
    case 'wasm':
      return `WebAssembly (${chosen.threads} thread${chosen.threads === 1 ? '' : 's'})`;
    case 'cpu':
      return CPU_INTERPRETER_DEVICE;
  }
}

/**
 * The backend named at the start of a row's device text. Anything that is neither WebGPU nor
 * WebAssembly ran on the host CPU: the reference interpreter, or an experiment's own event-driven
 * simulator, whichever backend the run was given.
 */
export function backendKindOf(row: Pick<ResultRow, 'device'>): BackendKind {
  if (/^WebGPU\b/.test(row.device)) return 'webgpu';
  if (/^WebAssembly\b/.test(row.device)) return 'wasm';
  return 'cpu';
}

/** How a backend is named in RESULTS.md's lines. */
export const BACKEND_LABELS: Readonly<Record<BackendKind, string>> = { webgpu: 'WebGPU', wasm: 'wasm', cpu: 'CPU' };
