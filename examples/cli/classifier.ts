/**
 * A sequential spec as a trainable classifier: the spec's last layer [T, B, C] is summed over
 * time into class scores (spike counts for a spiking layer, the integrated membrane for a
 * leaky-integrator readout), scored by cross-entropy against `labels`. Runtime-neutral (no Node
 * API), so the Deno script builds the very same model as the CLI.
 */
import { fail, GraphBuilder, layerScope, parseSequential, type Graph, type SequentialSpec, type Tensor } from '@spikeflow/core';
import { leakyIntegrator, lif, linear, sequential, softmaxCrossEntropy, standardLayers, timeReadout, type TaskInfo } from '@spikeflow/models';

/**
 * The default model of a task: one hidden LIF layer (detached resets train faster) and a
 * non-spiking leaky-integrator readout. A spiking readout is silent at initialization (both
 * counts 0, a loss of exactly ln 2) and learns only through its surrogate; the readout's
 * membrane carries a gradient from the first step. The readout has no bias: summed over T steps,
 * a bias shifts the scores by T times its value.
 */
export function defaultSpec(info: TaskInfo, hidden = 64): SequentialSpec {
  return sequential([
    linear(info.inputSize, hidden, { initScale: 4 }),
    lif({ tau: 2, detachReset: true }),
    linear(hidden, info.outputSize),
    leakyIntegrator(),
  ]);
}

export interface LayerOutput {
  /** The layer's scope, e.g. `lif1` (its params are `lif1/...`). */
  readonly name: string;
  readonly output: Tensor;
}

/** The spec's layers applied to `x`, scoped as buildSequential scopes them (params linear0/w, ...): each layer's output. */
export function applyLayers(b: GraphBuilder, spec: unknown, x: Tensor): LayerOutput[] {
  const checked = parseSequential(spec, standardLayers);
  const outputs: LayerOutput[] = [];
  checked.layers.forEach((layer, i) => {
    const name = layerScope(layer.kind, i);
    x = b.scope(name, () => standardLayers[layer.kind]!.build(b, x, layer));
    outputs.push({ name, output: x });
  });
  return outputs;
}

/** Graph with inputs x [T, B, F] and labels [B], outputs `loss` and `scores` [B, C]. */
export function classifierModel(spec: unknown, info: TaskInfo, batch: number): Graph {
  if (info.target !== 'class') fail('spec', 'task', `task '${info.name}' is not a classification task`, 'a class task', info.target);
  const b = new GraphBuilder();
  const x = b.input('x', [info.steps, batch, info.inputSize]);
  const labels = b.input('labels', [batch], 'i32');
  const layers = applyLayers(b, spec, x);
  const last = layers.length === 0 ? x : layers[layers.length - 1]!.output;
  const classes = last.shape[last.shape.length - 1];
  if (last.shape.length !== 3 || classes !== info.outputSize) {
    fail('spec', 'layers', `the last layer must give [T, B, ${info.outputSize}] outputs for task '${info.name}'`, `[${info.steps}, ${batch}, ${info.outputSize}]`, `[${last.shape.join(', ')}]`);
  }
  const scores = timeReadout(last, 'count');
  return b.finish({ loss: softmaxCrossEntropy(scores, labels), scores });
}
