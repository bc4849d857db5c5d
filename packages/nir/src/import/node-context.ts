import type { GraphBuilder, Tensor } from '@spikeflow/core';
import type { NirArray } from '../nir-graph.js';
import type { ResolvedOptions } from './options.js';

/** What mapping one NIR node needs: the outer builder, the options, and how to make its tensors. */
export interface NodeContext {
  /** The outer builder, in the node's scope: params and constants made here are visible to every stage. */
  readonly b: GraphBuilder;
  /** The node's name, as errors name it (`lif1.lif`). */
  readonly name: string;
  readonly options: ResolvedOptions;
  /** A trainable param `<node>/<field>` holding the array's values (rounded to f32). */
  param(field: string, array: NirArray): Tensor;
  /**
   * A constant of the values (f64 numbers, rounded to f32 by the graph): a scalar when they are
   * all equal, so uniform neuron parameters become literals of the kernels.
   */
  constant(field: string, shape: readonly number[], values: ArrayLike<number>): Tensor;
}

/** A stateless node: a function of its summed input `[N, ...shape]`, N any leading batch. */
export interface MapNode {
  readonly kind: 'map';
  apply(x: Tensor): Tensor;
}
