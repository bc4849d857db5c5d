/** `spikeflow inspect <task|config.json> [--dot out.dot]`: the model's layers, shapes and parameter count. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatSummary, summarize, toDot } from '@spikeflow/core';
import { configuredModel, readConfig } from './run-config.js';
import { loadTask } from './tasks.js';
import { UsageError } from './usage-error.js';

export async function inspectCommand(source: string | undefined, dot: string | undefined): Promise<void> {
  if (source === undefined) throw new UsageError('inspect needs a task or config.json');
  if (dot !== undefined && !existsSync(dirname(dot))) throw new UsageError(`--dot: no directory ${dirname(dot)}`);
  const config = await readConfig(source);
  const task = await loadTask(config.task);
  const model = configuredModel(config, task.info);
  console.log(`task ${task.info.name}: T = ${task.info.steps}, ${task.info.inputSize} inputs, ${task.info.outputSize} classes, batch ${config.batch}\n`);
  console.log(formatSummary(summarize(model)));
  if (dot !== undefined) await writeFile(dot, toDot(model, config.task));
}
