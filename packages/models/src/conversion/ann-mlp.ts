import { fail } from '@spikeflow/core';
import { linear, type LinearSpec } from '../layers/linear.js';
import { sequential, standardLayers } from '../layers/library.js';
import { layerScope, parseSequential, type LayerLibrary, type SequentialSpec } from '../spec/sequential.js';
import { relu, reluLayer } from './relu-layer.js';

/** The standard layers and `relu`: the library an analog network to be converted is built from. */
export const annLayers: LayerLibrary = { ...standardLayers, relu: reluLayer } as LayerLibrary;

/**
 * An analog MLP, `sizes[0]` inputs to `sizes[last]` outputs: linear layers with biases, a ReLU
 * after each hidden one and a linear (pre-softmax) output, e.g. `annMlp([784, 256, 10])` is
 * linear0, relu1, linear2.
 */
export function annMlp(sizes: readonly number[]): SequentialSpec {
  if (sizes.length < 2) fail('spec', 'sizes', 'an MLP needs at least an input and an output size', 'at least 2 sizes', `${sizes.length}`);
  const layers = sizes.slice(1).flatMap((out, i) => {
    const dense = linear(sizes[i]!, out, { bias: true });
    return i < sizes.length - 2 ? [dense, relu()] : [dense];
  });
  return sequential(layers);
}

/** One linear layer of an analog network and whether a ReLU follows it (every layer but the output). */
export interface WeightLayer {
  /** Its scope, e.g. `linear2`: its params are `linear2/w` and `linear2/b`. */
  readonly name: string;
  readonly index: number;
  readonly spec: LinearSpec;
  readonly rectified: boolean;
}

/**
 * The weight layers of a convertible network: linear layers, each hidden one followed by a ReLU,
 * the last one without. Anything else (a convolution, a spiking layer, two ReLUs in a row) is
 * rejected naming the layer, as the conversion only knows how to turn this form into IF neurons.
 */
export function weightLayers(ann: SequentialSpec | string): WeightLayer[] {
  const { layers } = parseSequential(ann, annLayers);
  const found: WeightLayer[] = [];
  layers.forEach((layer, i) => {
    const expected = i % 2 === 0 ? 'linear' : 'relu';
    if (layer.kind !== expected) fail('spec', `layers[${i}].kind`, `a convertible network alternates linear and relu layers`, expected, layer.kind);
    if (layer.kind === 'linear') found.push({ name: layerScope('linear', i), index: i, spec: layer as LinearSpec, rectified: i + 1 < layers.length });
  });
  const last = layers[layers.length - 1]!;
  if (last.kind !== 'linear') fail('spec', `layers[${layers.length - 1}].kind`, 'a convertible network ends in its linear output layer', 'linear', last.kind);
  found.slice(1).forEach((layer, k) => {
    const before = found[k]!.spec;
    if (layer.spec.in !== before.out) fail('spec', `layers[${layer.index}].in`, `the layer takes ${layer.spec.in} features but the one before gives ${before.out}`, `${before.out}`, `${layer.spec.in}`);
  });
  return found;
}
