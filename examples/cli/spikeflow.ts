#!/usr/bin/env -S npx tsx
/**
 * The `spikeflow` CLI (`pnpm cli <command> ...`). Bad input ends with one line on stderr and
 * exit code 2, before any file is written; any other failure also prints one line (exit 1).
 */
import { parseArgs } from 'node:util';
import { evalCommand } from './eval.js';
import { inspectCommand } from './inspect.js';
import { checkField, firstLine, type RunConfig } from './run-config.js';
import { TASK_NAMES } from './tasks.js';
import { trainCommand } from './train.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: spikeflow <command> [options]
  train <task|config.json> [--epochs N] [--lr X] [--batch N] [--train-batches N] [--test-batches N] [--seed N] [--out dir]
  train --resume <checkpoint> [--epochs N] [--out dir]
  eval <checkpoint>
  inspect <task|config.json> [--dot out.dot]
tasks: ${TASK_NAMES.join(', ')}`;

/** Numeric flags and the config fields they set. */
const NUMERIC = { epochs: 'epochs', lr: 'lr', batch: 'batch', 'train-batches': 'trainBatches', 'test-batches': 'testBatches', seed: 'seed' } as const;

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, { type: 'string' as const }])),
        out: { type: 'string' },
        resume: { type: 'string' },
        dot: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(firstLine(error));
  }
}

function overrides(values: Readonly<Record<string, string | boolean | undefined>>): Partial<RunConfig> {
  const out: Record<string, number> = {};
  for (const [flag, field] of Object.entries(NUMERIC)) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    const value = text.trim() === '' ? Number.NaN : Number(text);
    checkField(field, value, `--${flag}`);
    out[field] = value;
  }
  return out;
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parse(argv);
  const [command, target, ...extra] = positionals;
  if (values.help === true || command === undefined) {
    console.log(USAGE);
    return;
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  switch (command) {
    case 'train':
      return trainCommand({ source: target, resume: str(values.resume), out: str(values.out), overrides: overrides(values) });
    case 'eval':
      return evalCommand(target);
    case 'inspect':
      return inspectCommand(target, str(values.dot));
    default:
      throw new UsageError(`unknown command '${command}' (commands: train, eval, inspect; --help for usage)`);
  }
}

try {
  await main(process.argv.slice(2));
  process.exit(0); // dawn.node keeps the event loop alive
} catch (error) {
  process.stderr.write(`\nspikeflow: ${firstLine(error)}\n`.trimStart());
  process.exit(error instanceof UsageError ? 2 : 1);
}
