/**
 * What a trained classifier does on one episode: the input and every layer's output over time,
 * computed by the CPU interpreter with the trained params (batch 1 is cheap, and it needs no
 * second compiled program on the device). Runtime-neutral.
 */
import { evaluate, GraphBuilder, type HostTensor } from '@spikeflow/core';
import { applySequential, standardLayers, type TaskInfo } from '@spikeflow/models';

export interface LayerActivity {
  readonly name: string;
  readonly units: number;
  /** Row-major [T, units]. */
  readonly values: ArrayLike<number>;
}

/** `episode` is an input batch of one, x [T, 1, F]; `params` are the classifier's, by name. */
export function episodeActivity(spec: unknown, info: TaskInfo, params: Readonly<Record<string, HostTensor>>, episode: HostTensor): LayerActivity[] {
  const b = new GraphBuilder();
  const layers = applySequential(b, spec, b.input('x', [info.steps, 1, info.inputSize]), standardLayers);
  const graph = b.finish(Object.fromEntries(layers.map((l) => [l.name, l.output])));
  const { outputs } = evaluate(graph, { params, inputs: { x: episode } });
  const input: LayerActivity = { name: 'input', units: info.inputSize, values: episode.data };
  return [input, ...layers.map((l) => ({ name: l.name, units: l.output.shape[l.output.shape.length - 1]!, values: outputs[l.name]!.data }))];
}
