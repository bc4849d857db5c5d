import type { KernelTime } from '../gpu/kernel-profile.js';
import type { TimingOptions } from '../harness/timing.js';

/**
 * What the harness asks of one implementation's process and what that process answers. The
 * request is one JSON argument; the answer is one stdout line starting with RESULT_MARKER (other
 * output, a library's warnings say, is left alone). The Python peer speaks the same protocol.
 */
export type WorkloadId = 'w1' | 'w2';

/** Every implementation of a workload, in the order each round runs them (spikeflow, the reference, first). */
export function implNames(workload: WorkloadId): string[] {
  const w1 = workload === 'w1';
  return ['spikeflow', ...(w1 ? ['spikeflow-dense-x'] : []), 'spikeflow-wasm', ...(w1 ? ['spikeflow-wasm-dense-x'] : []), 'tfjs-webgpu', 'tfjs-wasm', 'torch', 'jax-js-wasm', 'jax-js-webgpu'];
}

/** Threads of the spikeflow-wasm implementations when the request names none. */
export const DEFAULT_WASM_THREADS = 2;

export interface WorkerRequest {
  readonly workload: WorkloadId;
  readonly impl: string;
  /** Folder of the fixture to time (fixture-files.ts). */
  readonly fixture: string;
  /** The agreement check, run before the timing: its fixture, and the folder its arrays go to. */
  readonly check?: { readonly fixture: string; readonly out: string };
  readonly timing: TimingOptions;
  /** Also time the step's kernels one by one (spikeflow only). */
  readonly profile: boolean;
  /** Threads of the spikeflow-wasm implementations (default DEFAULT_WASM_THREADS); others ignore it. */
  readonly wasmThreads?: number;
}

export interface CheckAnswer {
  readonly loss: number;
  /** The loss one training step (W1) or one step (W2) read back. */
  readonly step_loss: number;
  /** The cold first call of the gradient computation. */
  readonly first_call_ms: number;
}

export interface WorkerResult {
  readonly impl: string;
  /** What it ran on, in words. */
  readonly device: string;
  readonly check: CheckAnswer | null;
  /** The first timed-fixture call alone (compilation included). */
  readonly first_ms: number;
  readonly samples: readonly number[];
  /** The 1-minute load average when the process finished timing. */
  readonly load_1min: number;
  readonly kernels: readonly KernelTime[] | null;
}

export const RESULT_MARKER = 'BENCH_RESULT ';

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The answer line of a worker's stdout, validated; one error line naming the impl and the field otherwise. */
export function parseWorkerResult(stdout: string, impl: string): WorkerResult {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith(RESULT_MARKER));
  if (line === undefined) throw new Error(`${impl}: its process printed no ${RESULT_MARKER.trim()} line`);
  let value: unknown;
  try {
    value = JSON.parse(line.slice(RESULT_MARKER.length));
  } catch (error) {
    throw new Error(`${impl}: its ${RESULT_MARKER.trim()} line is not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${impl}: its result is not an object`);
  const field = (name: string): unknown => (Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined);
  const bad = (name: string, what: string) => new Error(`${impl}: result field ${name} must be ${what}`);
  if (field('impl') !== impl) throw bad('impl', JSON.stringify(impl));
  const device = field('device');
  if (typeof device !== 'string') throw bad('device', 'a string');
  const samples = field('samples');
  if (!Array.isArray(samples) || samples.length === 0 || !samples.every((s) => isNumber(s) && s >= 0)) throw bad('samples', 'a non-empty list of times in ms');
  for (const name of ['first_ms', 'load_1min']) if (!isNumber(field(name))) throw bad(name, 'a finite number');
  const check = field('check') ?? null;
  if (check !== null) {
    if (typeof check !== 'object' || Array.isArray(check)) throw bad('check', 'an object or null');
    for (const name of ['loss', 'step_loss', 'first_call_ms']) {
      if (!isNumber(Object.hasOwn(check, name) ? (check as Record<string, unknown>)[name] : undefined)) throw bad(`check.${name}`, 'a finite number');
    }
  }
  const kernels = field('kernels') ?? null;
  if (kernels !== null && !Array.isArray(kernels)) throw bad('kernels', 'a list or null');
  return {
    impl,
    device,
    check: check as CheckAnswer | null,
    first_ms: field('first_ms') as number,
    samples: samples as number[],
    load_1min: field('load_1min') as number,
    kernels: kernels as KernelTime[] | null,
  };
}
