/**
 * A sequential spec as a trainable classifier: the spec's output spikes [T, B, C] are counted
 * over time into class scores, scored by cross-entropy against `labels`. Runtime-neutral (no
 * Node API), so the Deno script builds the very same model as the CLI.
 */
import { fail, GraphBuilder, layerScope, parseSequential, type Graph, type SequentialSpec } from '@spikeflow/core';
import { lif, linear, sequential, softmaxCrossEntropy, standardLayers, timeReadout, type TaskInfo } from '@spikeflow/models';

/** The default model of a task: one hidden LIF layer, readout LIF layer (detached resets train faster). */
export function defaultSpec(info: TaskInfo, hidden = 64): SequentialSpec {
  return sequential([
    linear(info.inputSize, hidden, { initScale: 4 }),
    lif({ tau: 2, detachReset: true }),
    linear(hidden, info.outputSize, { initScale: 4 }),
    lif({ tau: 2, detachReset: true }),
  ]);
}

/** Graph with inputs x [T, B, F] and labels [B], outputs `loss` and `scores` [B, C]. */
export function classifierModel(spec: unknown, info: TaskInfo, batch: number): Graph {
  if (info.target !== 'class') fail('spec', 'task', `task '${info.name}' is not a classification task`, 'a class task', info.target);
  const checked = parseSequential(spec, standardLayers);
  const b = new GraphBuilder();
  let x = b.input('x', [info.steps, batch, info.inputSize]);
  const labels = b.input('labels', [batch], 'i32');
  // The same scoping as buildSequential, so params are named linear0/w, ... as in a plain spec.
  checked.layers.forEach((layer, i) => {
    x = b.scope(layerScope(layer.kind, i), () => standardLayers[layer.kind]!.build(b, x, layer));
  });
  const classes = x.shape[x.shape.length - 1];
  if (x.shape.length !== 3 || classes !== info.outputSize) {
    fail('spec', 'layers', `the last layer must give [T, B, ${info.outputSize}] spikes for task '${info.name}'`, `[${info.steps}, ${batch}, ${info.outputSize}]`, `[${x.shape.join(', ')}]`);
  }
  const scores = timeReadout(x, 'count');
  return b.finish({ loss: softmaxCrossEntropy(scores, labels), scores });
}
