import { fail, isOp, isTupleType, leafName, type FeedValue, type Graph, type Shape } from '@spikeflow/core';
import { coordinatesOf, firstNonFinite } from './finite.js';

/**
 * What a graph's inputs must hold beyond their shape and dtype (which the backends check): f32
 * inputs only finite values, and integer inputs that a oneHot turns into classes (the labels of a
 * cross-entropy) class indices in [0, depth). A NaN in one input would otherwise turn every param
 * into NaN within an epoch, and an out-of-range label silently becomes an all-zero target.
 */
export interface FeedRules {
  /** The f32 inputs, with their shapes (to name the element at fault). */
  readonly floats: ReadonlyMap<string, Shape>;
  /** The inputs that are class indices, with their class counts. */
  readonly classes: ReadonlyMap<string, number>;
}

export function feedRules(graph: Graph): FeedRules {
  const floats = new Map<string, Shape>();
  const names = new Map<string, string>();
  for (const id of graph.inputs) {
    const node = graph.nodes[id]!;
    names.set(id, leafName(node));
    if (!isTupleType(node.type) && node.type.dtype === 'f32') floats.set(leafName(node), node.type.shape);
  }
  const classes = new Map<string, number>();
  for (const node of Object.values(graph.nodes)) {
    if (!isOp(node, 'oneHot')) continue;
    const input = names.get(node.inputs[0]!);
    // Two oneHots of one input with different depths: the smaller bounds the labels.
    if (input !== undefined) classes.set(input, Math.min(classes.get(input) ?? Infinity, node.attrs.depth));
  }
  return { floats, classes };
}

/** The elements of a feed as numbers (a scalar as one element). */
function elementsOf(value: FeedValue): ArrayLike<number> {
  if (typeof value === 'number') return [value];
  return 'type' in value && 'data' in value ? value.data : value;
}

/** The shape of a fed value, for naming an element (a plain array as one axis). */
function shapeOf(value: FeedValue): Shape {
  if (typeof value === 'number') return [];
  return 'type' in value && 'data' in value ? value.type.shape : [value.length];
}

/** Rejects a class-index feed holding anything but integers in [0, classes), naming the element (for labels [B], the sample). */
export function expectClassIndices(field: string, value: FeedValue, classes: number, at: string): void {
  const labels = elementsOf(value);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      fail('feed', field, `the label at ${coordinatesOf(shapeOf(value), i)} is not a class index of the ${classes} classes (${at})`, `an integer in [0, ${classes})`, String(label));
    }
  }
}

/**
 * Checks fed values against the rules, naming the input, the element (its coordinates: the sample
 * is among them) and `at` (e.g. `step 4, epoch 1`). `finite` off skips the scan for NaN and
 * infinities (the class-index check always runs: it is one pass over a label per sample).
 */
export function expectValidFeeds(feeds: Readonly<Record<string, FeedValue>>, rules: FeedRules, at: string, finite: boolean): void {
  for (const [name, value] of Object.entries(feeds)) {
    const classes = rules.classes.get(name);
    if (classes !== undefined) expectClassIndices(`inputs.${name}`, value, classes, at);
    const shape = rules.floats.get(name);
    if (!finite || shape === undefined) continue;
    const data = elementsOf(value);
    const bad = firstNonFinite(data);
    if (bad >= 0) {
      const where = data.length === 1 ? '' : ` at ${coordinatesOf(shape, bad)}`;
      fail('feed', `inputs.${name}`, `the input holds a non-finite value${where} (${at}); training on it would turn the params into NaN`, 'finite values', String(data[bad]));
    }
  }
}
