/**
 * A run's settings: from a task name (defaults) or a JSON config file, then command-line
 * overrides. Everything is checked here, before any file is written. The resolved config is
 * saved next to the checkpoints (run.json) so `eval` and `--resume` rebuild the same model.
 */
import { readFile } from 'node:fs/promises';
import type { Graph } from '@spikeflow/core';
import { classifierModel, defaultClassifierSpec as defaultSpec, parseSequential, standardLayers, type TaskInfo } from '@spikeflow/models';
import { UsageError } from './usage-error.js';

export interface RunConfig {
  readonly task: string;
  /** A sequential spec (JSON); absent: the task's default model. */
  readonly model?: unknown;
  readonly epochs: number;
  readonly lr: number;
  readonly batch: number;
  readonly trainBatches: number;
  readonly testBatches: number;
  readonly seed: number;
}

export const DEFAULTS: Omit<RunConfig, 'task'> = { epochs: 3, lr: 0.01, batch: 32, trainBatches: 16, testBatches: 8, seed: 1 };

/** Integer fields and their least value; `lr` is checked separately. */
const COUNTS: Readonly<Record<string, number>> = { epochs: 1, batch: 1, trainBatches: 1, testBatches: 1, seed: 0 };
const KNOWN = new Set(['task', 'model', 'lr', ...Object.keys(COUNTS)]);

export function checkField(name: string, value: unknown, where: string): void {
  if (name === 'lr') {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new UsageError(`${where}: lr must be a number > 0, got ${JSON.stringify(value)}`);
    return;
  }
  const min = COUNTS[name];
  if (min === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw new UsageError(`${where}: ${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
}

/** Checks a whole config (from a file, run.json or the defaults with overrides). */
export function checkConfig(raw: unknown, where: string): RunConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${where}: a config must be a JSON object`);
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!KNOWN.has(key)) throw new UsageError(`${where}: unknown field '${key}' (fields: ${[...KNOWN].join(', ')})`);
  if (typeof fields.task !== 'string') throw new UsageError(`${where}: 'task' must be a task name`);
  const config = { ...DEFAULTS, ...fields } as RunConfig;
  for (const key of ['lr', ...Object.keys(COUNTS)]) checkField(key, (config as unknown as Record<string, unknown>)[key], where);
  if (config.model !== undefined) {
    try {
      parseSequential(config.model, standardLayers);
    } catch (error) {
      throw new UsageError(`${where}: model: ${firstLine(error)}`);
    }
  }
  return config;
}

/** `source` is a task name or a path ending in .json. */
export async function readConfig(source: string): Promise<RunConfig> {
  if (!source.endsWith('.json')) return checkConfig({ task: source }, 'task');
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch {
    throw new UsageError(`cannot read config file ${source}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source}: malformed JSON: ${firstLine(error)}`);
  }
  return checkConfig(raw, source);
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** The run's model spec: the config's, or the task's default. */
export function configuredSpec(config: RunConfig, info: TaskInfo): unknown {
  return config.model ?? defaultSpec(info);
}

/** The classifier a run's config describes, or one usage line. */
export function configuredModel(config: RunConfig, info: TaskInfo): Graph {
  try {
    return classifierModel(configuredSpec(config, info), info, config.batch);
  } catch (error) {
    throw new UsageError(`model: ${firstLine(error)}`);
  }
}
