import { copyInterface, finishLike, GraphBuilder, leafName, replayGraph, replayedTensor, type Graph } from '@spikeflow/core';

/**
 * Running statistics (the batch-norm layers' running mean and variance) are state leaves named
 * `<layer>/runningMean` and `<layer>/runningVar`: each training step updates them in the graph (the
 * training graph keeps model state as state, so they live on the device and go into checkpoints),
 * and evaluation reads them.
 *
 * A forward runner resets its state at every call of a fresh episode, so for evaluation the model is
 * rebuilt with its running statistics as params (`runningStatsAsParams`) and fed the trained values.
 */

export const RUNNING_MEAN = 'runningMean';
export const RUNNING_VAR = 'runningVar';

/** Whether a state leaf's name is a running statistic's. */
export function isRunningStatistic(name: string): boolean {
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last === RUNNING_MEAN || last === RUNNING_VAR;
}

/** The names of a graph's running statistics (state leaves), in interface order. */
export function runningStatNames(graph: Graph): string[] {
  return graph.state.map((s) => leafName(graph.nodes[s.node]!)).filter(isRunningStatistic);
}

/**
 * The graph with each running statistic turned from a state leaf into a param of the same name,
 * shape and initializer, its update dropped; the graph itself when it has none. Set the params
 * to the values a training run reached (its step runner's state of the same names).
 */
export function runningStatsAsParams(graph: Graph): Graph {
  const frozen = new Set(graph.state.filter((s) => isRunningStatistic(leafName(graph.nodes[s.node]!))).map((s) => s.node));
  if (frozen.size === 0) return graph;
  const b = new GraphBuilder();
  const leaves = copyInterface(b, graph, (node) => frozen.has(node));
  const values = replayGraph(b, graph, (node) => leaves.get(node.id)!);
  const kept: Graph = { ...graph, state: graph.state.filter((s) => !frozen.has(s.node)) };
  return finishLike(b, kept, (id) => replayedTensor(values.get(id)!), leaves);
}
