/** `spikeflow inspect <task|config.json> [--dot out.dot]`: the model's layers, shapes and parameter count. */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatShape, formatSummary, GraphBuilder, summarize, toDot } from '@spikeflow/core';
import { applySequential, standardLayers, type TaskInfo } from '@spikeflow/models';
import { fileErrorReason, writeFileAtomically } from './checkpoint-file.js';
import { configuredModel, configuredSpec, readConfig, type RunConfig } from './run-config.js';
import { loadTask } from './tasks.js';
import { UsageError } from './usage-error.js';

/** One line per layer: its scope and the shape it maps, e.g. `linear0  [56, 32, 16] -> [56, 32, 64]`. */
function layerTable(config: RunConfig, info: TaskInfo): string {
  const b = new GraphBuilder();
  const x = b.input('x', [info.steps, config.batch, info.inputSize]);
  const layers = applySequential(b, configuredSpec(config, info), x, standardLayers);
  const width = Math.max(...layers.map((l) => l.name.length));
  return layers.map((l, i) => `${l.name.padEnd(width)}  ${formatShape((i === 0 ? x : layers[i - 1]!.output).shape)} -> ${formatShape(l.output.shape)}`).join('\n');
}

export async function inspectCommand(source: string | undefined, dot: string | undefined): Promise<void> {
  if (source === undefined) throw new UsageError('inspect needs a task or config.json');
  if (dot !== undefined && !existsSync(dirname(dot))) throw new UsageError(`--dot: no directory ${dirname(dot)}`);
  const config = await readConfig(source);
  const task = await loadTask(config.task);
  const model = configuredModel(config, task.info);
  const table = layerTable(config, task.info);
  // The DOT file first, whole or not at all: an unwritable path is one line before anything is printed.
  if (dot !== undefined) {
    try {
      await writeFileAtomically(dot, toDot(model, config.task));
    } catch (error) {
      throw new UsageError(`--dot ${dot}: cannot write: ${fileErrorReason(error)}`);
    }
  }
  console.log(`task ${task.info.name}: T = ${task.info.steps}, ${task.info.inputSize} inputs, ${task.info.outputSize} classes, batch ${config.batch}\n`);
  console.log(`layers (time, batch, features):\n${table}\n`);
  console.log(formatSummary(summarize(model)));
}
