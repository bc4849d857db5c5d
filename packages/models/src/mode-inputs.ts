import { leafName, type FeedValue, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';

/**
 * Layers that act differently in training and in evaluation (dropout) read the mode from graph
 * inputs rather than from a second graph, so one compiled graph serves both. The inputs are
 * declared once per graph, by the first layer that needs them, and the trainer feeds them.
 */

/** f32 scalar input: 1 while training, 0 in evaluation. */
export const TRAINING_INPUT = 'training';
/** u32 scalar input: the counter of random layers' draws; a new value every training step gives new masks. */
export const RANDOM_STEP_INPUT = 'randomStep';

export interface ModeInputs {
  readonly training: Tensor;
  readonly randomStep: Tensor;
}

/** The graph's mode inputs, declared on first use and shared by every layer after. */
export function modeInputs(b: GraphBuilder): ModeInputs {
  return { training: b.sharedInput(TRAINING_INPUT, [], 'f32'), randomStep: b.sharedInput(RANDOM_STEP_INPUT, [], 'u32') };
}

function modeFeeds(graph: Graph, training: number, randomStep: number): Record<string, FeedValue> {
  const names = new Set(graph.inputs.map((id) => leafName(graph.nodes[id]!)));
  return {
    ...(names.has(TRAINING_INPUT) ? { [TRAINING_INPUT]: training } : {}),
    ...(names.has(RANDOM_STEP_INPUT) ? { [RANDOM_STEP_INPUT]: randomStep } : {}),
  };
}

/** Feeds for training step `step` (0-based), for whichever mode inputs the graph has (none: `{}`). */
export function trainingFeeds(graph: Graph, step: number): Record<string, FeedValue> {
  // The counter is a u32; a run past 2^32 steps wraps, as the GPU's counter would.
  return modeFeeds(graph, 1, step >>> 0);
}

/** Feeds for evaluation (training = 0; random layers draw nothing that matters), for whichever mode inputs the graph has. */
export function evaluationFeeds(graph: Graph): Record<string, FeedValue> {
  return modeFeeds(graph, 0, 0);
}
