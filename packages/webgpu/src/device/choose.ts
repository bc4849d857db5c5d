import { cpuBackend, fail, SpikeflowError, type TrainBackend } from '@spikeflow/core';
import { webgpuBackend } from '../runtime/train-backend.js';
import type { CompileOptions } from '../runtime/executable.js';
import { acquireDevice } from './acquire.js';
import type { SelectBackendOptions } from './backend.js';
import type { GpuContext } from './context.js';
import { softwareRendererName } from './software-adapter.js';

/** The training backends a program can run on. */
export const BACKEND_KINDS = ['webgpu', 'wasm', 'cpu'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];
/** What the user may ask for: a backend, or `auto` (WebGPU on a hardware adapter, else WebAssembly). */
export type BackendPreference = 'auto' | BackendKind;
const PREFERENCES: readonly BackendPreference[] = ['auto', ...BACKEND_KINDS];

/**
 * The WebAssembly backend, offered by the program (this package may not import @spikeflow/wasm):
 * Node passes `nodeWasmBackend`, browsers and Deno `webWasmBackend`.
 */
export interface WasmOffer {
  /** Makes the backend; called only when it is chosen. */
  readonly create: () => TrainBackend | Promise<TrainBackend>;
  /** The threads it will run on, for the line that names the backend. */
  readonly threads: number;
  /** Why it runs on fewer threads than the machine has (a page that is not cross-origin isolated), if it does. */
  readonly limitation?: string;
}

export interface ChooseBackendOptions extends SelectBackendOptions {
  /** `auto` by default. An explicit kind is taken as asked (WebGPU then fails instead of falling back). */
  readonly prefer?: BackendPreference;
  /** Where `prefer` came from, named in the reason: `--backend`, `SPIKEFLOW_BACKEND`, `?backend`. */
  readonly preferSource?: string;
  /** The WebAssembly backend; without it, `auto` keeps a software adapter and falls back to the CPU interpreter. */
  readonly wasm?: WasmOffer;
  /** Options of the WebGPU backend when it is chosen (compile progress, ...). */
  readonly webgpu?: Omit<CompileOptions, 'seed'>;
}

/** The backend a program runs on, and why, in words to print. */
export type ChosenBackend =
  | { readonly kind: 'webgpu'; readonly backend: TrainBackend; readonly ctx: GpuContext; readonly reason: string }
  | { readonly kind: 'wasm'; readonly backend: TrainBackend; readonly threads: number; readonly reason: string }
  | { readonly kind: 'cpu'; readonly backend: TrainBackend; readonly reason: string };

/** `value` as a preference, or one error naming `source` (a flag, variable or query parameter) and the choices. */
export function parseBackendPreference(value: string, source: string): BackendPreference {
  const found = PREFERENCES.find((p) => p === value);
  if (found === undefined) fail('interface', source, `unknown backend '${value}'`, PREFERENCES.join(', '), value);
  return found;
}

/**
 * The training backend for this machine. `auto`: WebGPU on a hardware adapter; the WebAssembly
 * backend on a software adapter (lavapipe, SwiftShader: correct, but slower than WebAssembly on
 * the same CPU) or without WebGPU; the CPU interpreter only when no WebAssembly backend is offered.
 * `requireWebGPU` (CI on lavapipe) keeps `auto` on WebGPU, software or not, and fails without it.
 * Only device errors fall back; anything else is a bug and throws.
 */
export async function chooseTrainBackend(options: ChooseBackendOptions = {}): Promise<ChosenBackend> {
  const { prefer = 'auto', preferSource = 'prefer', wasm, webgpu = {}, requireWebGPU = false, acquire = acquireDevice, ...acquireOptions } = options;
  const asked = `asked for by ${preferSource}=${prefer}`;
  if (prefer === 'cpu') return { kind: 'cpu', backend: cpuBackend(), reason: asked };
  if (prefer === 'wasm') {
    if (wasm === undefined) fail('interface', preferSource, 'this program offers no WebAssembly backend', 'auto, webgpu or cpu', prefer);
    return wasmChoice(wasm, asked);
  }
  const onWebGPU = (ctx: GpuContext, reason: string): ChosenBackend => ({ kind: 'webgpu', backend: webgpuBackend(ctx, webgpu), ctx, reason });
  if (prefer === 'webgpu' || requireWebGPU) {
    const ctx = await acquire(acquireOptions);
    const software = softwareRendererName(ctx.adapter);
    const why = prefer === 'webgpu' ? asked : 'WebGPU is required (requireWebGPU)';
    return onWebGPU(ctx, software === null ? `${why}; a hardware adapter` : `${why}, on a software adapter (${software})`);
  }

  let ctx: GpuContext;
  try {
    ctx = await acquire(acquireOptions);
  } catch (error) {
    if (!(error instanceof SpikeflowError && error.code === 'device')) throw error;
    if (wasm !== undefined) return wasmChoice(wasm, `no WebGPU device (${firstSentence(error)})`);
    return { kind: 'cpu', backend: cpuBackend(), reason: `no WebGPU device and no WebAssembly backend offered: ${error.message}` };
  }
  const software = softwareRendererName(ctx.adapter);
  if (software === null) return onWebGPU(ctx, 'a hardware WebGPU adapter');
  if (wasm === undefined) return onWebGPU(ctx, `WebGPU adapter is software (${software}), and this program offers no WebAssembly backend`);
  ctx.device.destroy();
  return wasmChoice(wasm, `WebGPU adapter is software (${software}); the WebAssembly backend is faster here`);
}

async function wasmChoice(wasm: WasmOffer, reason: string): Promise<ChosenBackend> {
  const full = wasm.limitation === undefined ? reason : `${reason}; ${wasm.limitation}`;
  return { kind: 'wasm', backend: await wasm.create(), threads: wasm.threads, reason: full };
}

/** One line naming the backend and why: `backend: wasm (2 threads) — WebGPU adapter is software (llvmpipe); ...`. */
export function describeChoice(chosen: ChosenBackend): string {
  const what =
    chosen.kind === 'webgpu' ? `webgpu (${chosen.ctx.adapterInfo})` : chosen.kind === 'wasm' ? `wasm (${chosen.threads} thread${chosen.threads === 1 ? '' : 's'})` : 'cpu (the reference interpreter)';
  return `backend: ${what} — ${chosen.reason}`;
}

/** A device error's first sentence, without its code prefix and the how-to-fix that follows: which call failed. */
function firstSentence(error: SpikeflowError): string {
  const message = error.message.replace(/^\[[^\]]*\] at '[^']*': /, '');
  const end = message.search(/\.(\s|$)/);
  return end < 0 ? message : message.slice(0, end);
}
