/**
 * What the cold-start suite asks of one process and what it answers (cold-start-worker.ts): the
 * request is one JSON argument, the answer one stdout line starting with COLD_START_MARKER.
 */
export interface ColdStartRequest {
  readonly impl: string;
  /** Folder of the W1 fixture (fixture-files.ts). */
  readonly fixture: string;
  /** Wall-clock ms since the epoch just before the harness spawned the process. */
  readonly spawned_at_ms: number;
}

/** One phase of a cold start and how long it took, in order; the phases add up to `total_ms`. */
export interface Phase {
  readonly name: string;
  readonly ms: number;
}

/**
 * A unique pipeline of spikeflow's step becoming ready (compiled and dispatched once): ms since the
 * previous one (or since the WGSL was generated). Lavapipe compiles at the first dispatch, one
 * pipeline after another on its queue thread, so this is close to the pipeline's own compile time.
 */
export interface KernelReady {
  readonly label: string;
  readonly ms: number;
}

export interface ColdStartResult {
  readonly impl: string;
  readonly device: string;
  /** From the spawn to the first training step's loss read back. */
  readonly total_ms: number;
  readonly phases: readonly Phase[];
  /** spikeflow only: its unique pipelines in the order they became ready. */
  readonly kernels: readonly KernelReady[];
  /** The first step's loss (every implementation must agree on it, the fixture being W1's). */
  readonly loss: number;
  readonly load_1min: number;
}

export const COLD_START_MARKER = 'COLD_START ';

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The answer line of a cold-start process, validated; one error line naming the impl and the field otherwise. */
export function parseColdStartResult(stdout: string, impl: string): ColdStartResult {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith(COLD_START_MARKER));
  if (line === undefined) throw new Error(`${impl}: its process printed no ${COLD_START_MARKER.trim()} line`);
  let value: unknown;
  try {
    value = JSON.parse(line.slice(COLD_START_MARKER.length));
  } catch (error) {
    throw new Error(`${impl}: its ${COLD_START_MARKER.trim()} line is not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${impl}: its result is not an object`);
  const field = (name: string): unknown => (Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined);
  const bad = (name: string, what: string) => new Error(`${impl}: cold-start field ${name} must be ${what}`);
  if (field('impl') !== impl) throw bad('impl', JSON.stringify(impl));
  if (typeof field('device') !== 'string') throw bad('device', 'a string');
  for (const name of ['total_ms', 'loss', 'load_1min']) if (!isNumber(field(name))) throw bad(name, 'a finite number');
  const phases = field('phases');
  const isPhase = (p: unknown) => typeof p === 'object' && p !== null && typeof (p as Phase).name === 'string' && isNumber((p as Phase).ms);
  if (!Array.isArray(phases) || phases.length === 0 || !phases.every(isPhase)) throw bad('phases', 'a non-empty list of { name, ms }');
  const kernels = field('kernels');
  const isKernel = (k: unknown) => typeof k === 'object' && k !== null && typeof (k as KernelReady).label === 'string' && isNumber((k as KernelReady).ms);
  if (!Array.isArray(kernels) || !kernels.every(isKernel)) throw bad('kernels', 'a list of { label, ms }');
  return value as ColdStartResult;
}
