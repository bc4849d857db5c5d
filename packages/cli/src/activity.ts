/**
 * What a trained classifier does on one episode: the input and every layer's output over time,
 * computed by the CPU interpreter with the trained params (batch 1 is cheap, and it needs no
 * second compiled program on the device). Runtime-neutral.
 */
import { evaluate, GraphBuilder, type HostTensor } from '@spikeflow/core';
import { applySequential, evaluationFeeds, scheduledInputs, scheduleFeeds, standardLayers, type TaskInfo } from '@spikeflow/models';

export interface LayerActivity {
  readonly name: string;
  readonly units: number;
  /** Row-major [T, units]. */
  readonly values: ArrayLike<number>;
}

/** How far a run is: its epochs done and planned, for the inputs a model reads from a schedule (masked PSN's λ). */
export interface RunProgress {
  readonly epoch: number;
  readonly epochs: number;
}

/**
 * `episode` is an input batch of one, x [T, 1, F]; `params` are the classifier's, by name. The
 * model's other inputs are fed as the trainer's evaluation feeds them: mode inputs in evaluation
 * mode, scheduled inputs at the last epoch done.
 */
export function episodeActivity(spec: unknown, info: TaskInfo, params: Readonly<Record<string, HostTensor>>, episode: HostTensor, progress: RunProgress): LayerActivity[] {
  const b = new GraphBuilder();
  const layers = applySequential(b, spec, b.input('x', [info.steps, 1, info.inputSize]), standardLayers);
  const graph = b.finish(Object.fromEntries(layers.map((l) => [l.name, l.output])));
  const scheduled = scheduleFeeds(scheduledInputs(graph), Math.max(progress.epoch - 1, 0), progress.epochs);
  const { outputs } = evaluate(graph, { params, inputs: { x: episode, ...scheduled, ...evaluationFeeds(graph) } });
  const input: LayerActivity = { name: 'input', units: info.inputSize, values: episode.data };
  return [input, ...layers.map((l) => ({ name: l.name, units: l.output.shape[l.output.shape.length - 1]!, values: outputs[l.name]!.data }))];
}
