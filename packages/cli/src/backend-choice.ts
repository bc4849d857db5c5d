/**
 * Which backend a Node program trains on: `--backend` (or `SPIKEFLOW_BACKEND`), else auto —
 * WebGPU on a hardware adapter, the WebAssembly backend on a software adapter or without WebGPU.
 * `SPIKEFLOW_REQUIRE_WEBGPU=1` (CI on lavapipe) keeps auto on WebGPU. Shared with the Node demo.
 */
import { availableParallelism } from 'node:os';
import { SpikeflowError } from '@spikeflow/core';
import { nodeWasmBackend } from '@spikeflow/wasm/node';
import { parseBackendPreference, type BackendPreference, type ChosenBackend, type CompileProgressCallback } from '@spikeflow/webgpu';
import { chooseNodeBackend } from '@spikeflow/webgpu/node';
import { UsageError } from './usage-error.js';

/** The preference and where it came from, named in the printed reason. */
export interface BackendRequest {
  readonly prefer: BackendPreference;
  readonly source: string;
}

export const BACKEND_ENV = 'SPIKEFLOW_BACKEND';

/** The `--backend` flag's value if given, else `SPIKEFLOW_BACKEND`'s, else auto; a bad value is one usage line naming the flag or variable. */
export function backendRequest(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): BackendRequest {
  const [value, source] = flag !== undefined ? [flag, '--backend'] : [env[BACKEND_ENV], BACKEND_ENV];
  // An empty variable (`SPIKEFLOW_BACKEND=`) is unset, as shells treat it; an empty flag is a bad value.
  if (value === undefined || (flag === undefined && value === '')) return { prefer: 'auto', source: 'auto' };
  try {
    return { prefer: parseBackendPreference(value, source), source };
  } catch (error) {
    if (error instanceof SpikeflowError) throw new UsageError(`${source}: unknown backend '${value}' (choose auto, webgpu, wasm or cpu)`);
    throw error;
  }
}

export interface ChooseOptions {
  readonly onCompileProgress?: CompileProgressCallback;
  /** Keep auto on WebGPU, software adapter or not, and fail without it; `SPIKEFLOW_REQUIRE_WEBGPU=1` by default. */
  readonly requireWebGPU?: boolean;
}

/** Picks the backend for `request`, offering the WebAssembly backend on all available cores. */
export function chooseBackend(request: BackendRequest, options: ChooseOptions = {}): Promise<ChosenBackend> {
  const { onCompileProgress, requireWebGPU = process.env.SPIKEFLOW_REQUIRE_WEBGPU === '1' } = options;
  const threads = availableParallelism();
  return chooseNodeBackend({
    prefer: request.prefer,
    preferSource: request.source,
    requireWebGPU,
    wasm: { create: () => nodeWasmBackend({ threads }), threads },
    webgpu: onCompileProgress === undefined ? {} : { onCompileProgress },
  });
}
