import type { Graph, HostTensor, Tensor } from '@spikeflow/core';
import { accuracy, type MnistData, type TaskBatch } from '@spikeflow/models';
import type { MlpSpec } from './mnist-lif.js';

/** A batch to feed, with what is needed to score the probe's outputs on it. */
export interface DemoBatch {
  readonly feeds: Readonly<Record<string, HostTensor>>;
  /** Fraction right, from the probe output the demo names as its `scores`. */
  readonly accuracy: (scores: HostTensor) => number;
}

/** A spiking layer the page can show: the probe outputs its spikes and membranes, [T, B, N] each, under these names. */
export interface DemoLayer {
  readonly label: string;
  readonly spikes: string;
  readonly membrane: string;
  /** Where the neuron fires, drawn as a line on the membrane plot (an adaptive threshold's baseline). */
  readonly threshold: number;
}

/** Where a demo gets data it cannot generate: the page fetches the digits, a Node script reads the `mnist` package. */
export interface DemoData {
  mnist(): Promise<MnistData>;
}

/**
 * What the page trains: a training graph, and a probe graph of the same params that also outputs
 * what the plots show: class scores, and each layer's spikes and membranes.
 */
export interface Demo {
  readonly title: string;
  readonly describe: string;
  readonly train: Graph;
  readonly probe: Graph;
  /** The probe output the held-out batch's `accuracy` scores. */
  readonly scores: string;
  /** The spiking layers, the first shown by default. */
  readonly layers: readonly DemoLayer[];
  /** The param drawn as a heat map, a [rows, cols] matrix, with what its rows and columns index. */
  readonly weight: { readonly param: string; readonly rows: string; readonly cols: string };
  readonly lr: number;
  /** Chance accuracy, drawn as a reference line under the accuracy curve. */
  readonly chance: number;
  trainBatch(step: number): DemoBatch;
  /** A fixed held-out batch, so the probe plots and accuracy are comparable from step to step. */
  readonly heldOut: DemoBatch;
  /** The model as a sequential spec, where it is one: what a NIR export writes (the others have no NIR form, docs/browser.md). */
  readonly sequential?: MlpSpec;
}

/** A layer whose probe outputs are named after it, as `layerOutputs` names them. */
export const namedLayer = (id: string, label: string, threshold: number): DemoLayer => ({ label, spikes: `${id}_spikes`, membrane: `${id}_membrane`, threshold });

/** The probe outputs of the given layers, named as `namedLayer` expects. */
export function layerOutputs(layers: Readonly<Record<string, { readonly spikes: Tensor; readonly membrane: Tensor }>>): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(layers).flatMap(([id, l]) => {
      const names = namedLayer(id, id, 0);
      return [[names.spikes, l.spikes], [names.membrane, l.membrane]];
    }),
  );
}

/** A batch of a task with one class label per sample: its input `x` and `labels`, scored by the argmax of `scores` [B, C]. */
export function labelledBatch(batch: TaskBatch): DemoBatch {
  const labels = batch.labels!;
  return { feeds: { x: batch.inputs.x!, labels }, accuracy: (scores) => accuracy(scores, labels) };
}
