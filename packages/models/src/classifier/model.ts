import { fail, formatShape, GraphBuilder, type DType, type Graph, type Shape } from '@spikeflow/core';
import { leakyIntegrator } from '../neurons/leaky-integrator.js';
import { lif } from '../neurons/lif.js';
import { linear } from '../layers/linear.js';
import { recurrent } from '../layers/recurrent.js';
import { sequential, standardLayers } from '../layers/library.js';
import { applySequential, type LayerLibrary, type SequentialSpec } from '../spec/sequential.js';
import type { TaskInfo } from '../tasks/task.js';
import { applyClassifierHead, classifierHead, type ClassifierHead } from './head.js';

export interface ClassifierOptions {
  /** The network's input, time-major: e.g. `{ name: 'x', shape: [T, B, F] }`. */
  readonly input: { readonly name: string; readonly shape: Shape; readonly dtype?: DType };
  /** The name of the i32 class-index input [B] (default `labels`). */
  readonly labels?: string;
  /** Default `classifierHead()`: spike counts scored by cross-entropy. */
  readonly head?: ClassifierHead;
  /** Where the spec's layer kinds are looked up (default `standardLayers`). */
  readonly library?: LayerLibrary;
  /** The number of classes C the last layer must give, when known. */
  readonly classes?: number;
}

/** The names a classifier graph gives its outputs, e.g. for the trainer's `accuracy` option. */
export const CLASSIFIER_OUTPUTS = { loss: 'loss', scores: 'scores' } as const;

/**
 * A sequential spec (an object or its JSON text) with a classifier head: the graph takes the
 * input and the labels [B] and outputs `loss` and `scores` [B, C]. The spec's last layer must
 * give a time-major [T, B, C]; its params are scoped as `buildSequential` scopes them.
 */
export function buildClassifier(spec: SequentialSpec | string | unknown, options: ClassifierOptions): Graph {
  const b = new GraphBuilder();
  const x = b.input(options.input.name, options.input.shape, options.input.dtype ?? 'f32');
  const layers = applySequential(b, spec, x, options.library ?? standardLayers);
  const last = layers[layers.length - 1]!.output;
  const { classes } = options;
  if (last.rank !== 3 || last.shape[1] !== x.shape[1] || (classes !== undefined && last.shape[2] !== classes)) {
    fail('spec', 'layers', `the last layer must give [T, B, ${classes ?? 'C'}] outputs for a classifier`, `[T, ${x.shape[1]}, ${classes ?? 'C'}]`, formatShape(last.shape));
  }
  const labels = b.input(options.labels ?? 'labels', [last.shape[1]!], 'i32');
  const { loss, scores } = applyClassifierHead(last, labels, options.head ?? classifierHead());
  return b.finish({ [CLASSIFIER_OUTPUTS.loss]: loss, [CLASSIFIER_OUTPUTS.scores]: scores });
}

/**
 * The default model of a classification task: one hidden LIF layer (detached resets train faster)
 * and a non-spiking leaky-integrator readout. A spiking readout is silent at initialization (both
 * counts 0, a loss of exactly ln 2) and learns only through its surrogate; the readout's
 * membrane carries a gradient from the first step. The readout has no bias: summed over T steps,
 * a bias shifts the scores by T times its value.
 */
export function defaultClassifierSpec(info: TaskInfo, hidden = 64): SequentialSpec {
  return sequential([
    linear(info.inputSize, hidden, { initScale: 4 }),
    lif({ tau: 2, detachReset: true }),
    linear(hidden, info.outputSize),
    leakyIntegrator(),
  ]);
}

/**
 * The default model of a classification task that needs memory (delayed XOR: the answer depends
 * on two bits shown apart in time). A feed-forward model's class scores, summed over time, add
 * what each step contributes, and no sum g(a) + g(b) separates a XOR b: it stays at chance. Here
 * one recurrent layer of LIF neurons with τ = 20 steps, the input not divided by τ (so a pulse
 * lifts the membrane at once), holds the first bit until the second comes; the readout is the
 * same leaky integrator as the feed-forward default's.
 */
export function recurrentClassifierSpec(info: TaskInfo, hidden = 64): SequentialSpec {
  return sequential([
    recurrent(info.inputSize, hidden, lif({ tau: 20, decayInput: false, detachReset: true }), { bias: true, initScale: 2 }),
    linear(hidden, info.outputSize),
    leakyIntegrator(),
  ]);
}

/**
 * The classifier of a task's batches: inputs x [T, batch, F] and labels [batch], outputs `loss`
 * and `scores` [batch, C]; the spec must end in the task's C classes.
 */
export function classifierModel(spec: unknown, info: TaskInfo, batch: number, head: ClassifierHead = classifierHead()): Graph {
  if (info.target !== 'class') fail('spec', 'task', `task '${info.name}' is not a classification task`, 'a class task', info.target);
  return buildClassifier(spec, { input: { name: 'x', shape: [info.steps, batch, info.inputSize] }, head, classes: info.outputSize });
}
