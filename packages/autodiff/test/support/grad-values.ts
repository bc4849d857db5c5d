import { evaluate, tensor, toArray, trace, type GraphBuilder, type HostTensor, type Shape, type Tensor } from '@spikeflow/core';
import { grad } from '../../src/index.js';

export interface Leaf {
  readonly shape: Shape;
  readonly values: readonly number[];
}

/**
 * The gradient of the scalar `loss` with respect to every leaf, evaluated in float64: for tests
 * whose expected values are worked out by hand.
 */
export function gradients(leaves: Readonly<Record<string, Leaf>>, loss: (b: GraphBuilder, xs: Readonly<Record<string, Tensor>>) => Tensor): Record<string, number[]> {
  const names = Object.keys(leaves);
  const forward = trace((b) => {
    const xs = Object.fromEntries(names.map((n) => [n, b.input(n, leaves[n]!.shape)]));
    return { loss: loss(b, xs) };
  });
  const inputs: Record<string, HostTensor> = {};
  for (const n of names) inputs[n] = tensor(leaves[n]!.shape, [...leaves[n]!.values], 'f32', 'f64');
  const out = evaluate(grad(forward, { of: 'loss', wrt: names }), { inputs }, { precision: 'f64' }).outputs;
  return Object.fromEntries(names.map((n) => [n, toArray(out[`grad/${n}`]!)]));
}
