/**
 * A run's model, checked before any file is written or a device opened: built and traced for the
 * task (every layer's shapes), its training graph traced (the gradient of the loss and the
 * optimizer's update), and every input it declares one that a run feeds. Whatever fails is one
 * UsageError naming the config field, e.g. `model.layers[1] (maskedPsn): ...`.
 */
import { leafName, SpikeflowError, type Graph } from '@spikeflow/core';
import {
  adam,
  classifierModel,
  CLASSIFIER_OUTPUTS,
  layerScope,
  parseSequential,
  RANDOM_STEP_INPUT,
  scheduledInputs,
  standardLayers,
  trainingGraph,
  TRAINING_INPUT,
  type TaskInfo,
} from '@spikeflow/models';
import { firstLine, UsageError } from './usage-error.js';

/** The inputs a run feeds by name: the task's batches (see taskData) and the trainer's mode inputs. */
const FED_INPUTS: ReadonlySet<string> = new Set(['x', 'labels', TRAINING_INPUT, RANDOM_STEP_INPUT]);

/** The layer kinds of a spec, in order; none where the spec does not parse (its own error names the field). */
function layerKinds(spec: unknown): readonly string[] {
  try {
    return parseSequential(spec, standardLayers).layers.map((l) => l.kind);
  } catch {
    return [];
  }
}

/** The config field a graph location belongs to: a layer's scope (`linear0/...`) is `model.layers[0] (linear)`. */
function fieldOf(where: string, kinds: readonly string[]): string | undefined {
  const scope = where.split('/')[0]!;
  const index = kinds.findIndex((kind, i) => layerScope(kind, i) === scope);
  if (index >= 0) return `model.layers[${index}] (${kinds[index]})`;
  // A spec error names its field from the layer list down, e.g. `layers[1].tau`.
  return /^layers(\[|$)/.test(where) ? `model.${where}` : undefined;
}

/** One usage line for an error in building or tracing the model: the field first, then what is wrong. */
function modelError(error: unknown, kinds: readonly string[]): UsageError {
  const field = error instanceof SpikeflowError ? fieldOf(error.where, kinds) : undefined;
  if (field === undefined || !(error instanceof SpikeflowError)) return new UsageError(`model: ${firstLine(error)}`);
  const prefix = `[${error.code}] at '${error.where}': `;
  const line = firstLine(error);
  return new UsageError(`${field}: ${line.startsWith(prefix) ? line.slice(prefix.length) : line}`);
}

/** Rejects an input of `model` that no run feeds, naming the layer that declares it. */
export function expectFedInputs(model: Graph, kinds: readonly string[]): void {
  const scheduled = new Set(scheduledInputs(model).map((input) => input.name));
  for (const id of model.inputs) {
    const name = leafName(model.nodes[id]!);
    if (FED_INPUTS.has(name) || scheduled.has(name)) continue;
    const field = fieldOf(name, kinds) ?? 'model';
    throw new UsageError(`${field}: declares the input '${name}', which a run does not feed (it feeds ${[...FED_INPUTS].join(', ')} and scheduled inputs such as a masked PSN's lambda)`);
  }
}

/** The classifier `spec` gives for the task, built, traced for training and checked; or one usage line. */
export function checkedModel(spec: unknown, info: TaskInfo, batch: number): Graph {
  const kinds = layerKinds(spec);
  let model: Graph;
  try {
    model = classifierModel(spec, info, batch);
    // Traced only to check it: the trainer traces its own (the optimizer's slots do not change what can fail here).
    trainingGraph(model, { loss: CLASSIFIER_OUTPUTS.loss, optimizer: adam() });
  } catch (error) {
    throw modelError(error, kinds);
  }
  expectFedInputs(model, kinds);
  return model;
}
