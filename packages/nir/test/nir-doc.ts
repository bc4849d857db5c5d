// Building NIR documents in memory for the tests, and running imported models on the CPU.
import { evaluate, toArray } from '@spikeflow/core';
import type { NirArray, NirDocument, NirGraph, NirNode } from '../src/index.js';
import { importNir, type ImportOptions, type NirModel } from '../src/index.js';

export function arr(shape: readonly number[], values: readonly number[]): NirArray {
  return { dtype: 'float64', shape: [...shape], data: Float64Array.from(values) };
}

export function graph(nodes: Record<string, NirNode>, edges: readonly (readonly [string, string])[]): NirGraph {
  return { type: 'NIRGraph', nodes: new Map(Object.entries(nodes)), edges };
}

export function doc(nodes: Record<string, NirNode>, edges: readonly (readonly [string, string])[]): NirDocument {
  return { version: '0.2.0', graph: graph(nodes, edges) };
}

/** input → node → output, with the given per-sample shapes. */
export function single(node: NirNode, inShape: readonly number[], outShape: readonly number[]): NirDocument {
  return doc(
    { input: { type: 'Input', shape: inShape }, node, output: { type: 'Output', shape: outShape } },
    [['input', 'node'], ['node', 'output']],
  );
}

/** Every output of the model run on the CPU interpreter, flattened. */
export function run(model: NirModel, inputs: Record<string, ArrayLike<number>>): Record<string, number[]> {
  const { outputs } = evaluate(model.graph, { inputs, params: model.params });
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, toArray(v)]));
}

/** Imports `d` and runs it on `x` (batch 1, T = x.length / per-sample size). */
export function runDoc(d: NirDocument, x: readonly number[], options: Partial<ImportOptions> & { steps: number }): Record<string, number[]> {
  const model = importNir(d, { dt: 1, batch: 1, ...options });
  return run(model, { input: x });
}
