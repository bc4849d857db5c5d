/**
 * A run's settings: from a task name (defaults) or a JSON config file, then command-line
 * overrides. Everything is checked here, before any file is written. The resolved config is
 * saved next to the checkpoints (run.json) so `eval` and `--resume` rebuild the same model.
 */
import { readFile } from 'node:fs/promises';
import type { Graph } from '@spikeflow/core';
import { parseSequential, standardLayers, type TaskInfo } from '@spikeflow/models';
import { checkedModel } from './model-check.js';
import { defaultModelSpec } from './tasks.js';
import { firstLine, UsageError } from './usage-error.js';

export { firstLine } from './usage-error.js';

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

/** A value as the user wrote it: numbers as numbers (JSON would show Infinity as null). */
const shown = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value));

export function checkField(name: string, value: unknown, where: string): void {
  if (name === 'lr') {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new UsageError(`${where}: lr must be a number > 0, got ${shown(value)}`);
    return;
  }
  const min = Object.hasOwn(COUNTS, name) ? COUNTS[name] : undefined;
  if (min === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw new UsageError(`${where}: ${name} must be an integer >= ${min}, got ${shown(value)}`);
}

const DECIMAL_NUMBER = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/**
 * The number a command-line flag gives `field`: a decimal number, as JSON would write it (with an
 * optional sign, fraction and exponent). Number() alone would take 0x2, 0b10, '', ' 2 ',
 * Infinity; then the field's range (and for a count, wholeness) is checked as a config file's is.
 */
export function flagNumber(flag: string, field: string, text: string): number {
  if (!DECIMAL_NUMBER.test(text)) throw new UsageError(`${flag}: expected a decimal number, got ${JSON.stringify(text)}`);
  const value = Number(text);
  checkField(field, value, flag);
  return value;
}

/** Checks a whole config (from a file, run.json or the defaults with overrides). */
export function checkConfig(raw: unknown, where: string): RunConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${where}: a config must be a JSON object`);
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!KNOWN.has(key)) throw new UsageError(`${where}: unknown field '${key}' (fields: ${[...KNOWN].join(', ')})`);
  if (typeof fields.task !== 'string') throw new UsageError(`${where}: 'task' must be a task name`);
  // Only known own keys were found above, so the spread cannot carry a prototype.
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

/** The settings that fix what a run computes: all but `epochs`, which only says how long it goes on. */
export function runSettings(config: RunConfig): Omit<RunConfig, 'epochs'> {
  const { epochs: _, ...settings } = config;
  return settings;
}

/** JSON with sorted keys, so two equal settings compare equal however their keys were ordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** The first setting (all but epochs) in which `config` differs from `recorded`, or undefined. */
export function changedSetting(recorded: Readonly<Record<string, unknown>>, config: RunConfig): { field: string; was: string; now: string } | undefined {
  const now = runSettings(config) as Readonly<Record<string, unknown>>;
  for (const field of new Set([...Object.keys(recorded), ...Object.keys(now)])) {
    if (field === 'epochs') continue;
    const [a, b] = [recorded, now].map((r) => canonical(Object.hasOwn(r, field) ? r[field] : undefined));
    if (a !== b) return { field, was: a!, now: b! };
  }
  return undefined;
}

/** The run's model spec: the config's, or the task's default (see tasks.ts). */
export function configuredSpec(config: RunConfig, info: TaskInfo): unknown {
  return config.model ?? defaultModelSpec(config.task, info);
}

/** The classifier a run's config describes, built and checked (see model-check.ts), or one usage line. */
export function configuredModel(config: RunConfig, info: TaskInfo): Graph {
  return checkedModel(configuredSpec(config, info), info, config.batch);
}
