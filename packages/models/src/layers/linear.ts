import { z } from 'zod';
import { fail, formatShape, type GraphBuilder, type LayerDefinition, type Tensor } from '@spikeflow/core';

export interface LinearSpec {
  readonly kind: 'linear';
  readonly in: number;
  readonly out: number;
  readonly bias: boolean;
  /** Multiplies the default init bound, e.g. to make sparse spike inputs drive the next layer. */
  readonly initScale: number;
}

const schema = z.object({
  kind: z.literal('linear'),
  in: z.number().int().positive(),
  out: z.number().int().positive(),
  bias: z.boolean().default(false),
  initScale: z.number().positive().default(1),
});

/** A dense projection `x @ w (+ b)` over the last axis, for inputs `[..., in]` (e.g. `[T, B, in]`). */
export function linear(inFeatures: number, outFeatures: number, options: { bias?: boolean; initScale?: number } = {}): LinearSpec {
  return { kind: 'linear', in: inFeatures, out: outFeatures, bias: options.bias ?? false, initScale: options.initScale ?? 1 };
}

/** PyTorch's default: kaiming-uniform with a = sqrt(5), i.e. U(±1/sqrt(in)) for weights and bias. */
function bound(spec: LinearSpec): number {
  return spec.initScale / Math.sqrt(spec.in);
}

export function buildLinear(b: GraphBuilder, x: Tensor, spec: LinearSpec): Tensor {
  const k = bound(spec);
  const features = x.shape[x.rank - 1];
  if (features !== spec.in) fail('shape', b.path(), 'the input has the wrong number of features for this linear layer', `[..., ${spec.in}]`, formatShape(x.shape));
  const w = b.param('w', [spec.in, spec.out], { kind: 'uniform', low: -k, high: k });
  // Leading axes (time, batch) flattened into one: a plain 2-D matmul whose weight gradient
  // needs no sum over per-step copies.
  const y = x.rank > 2 ? x.reshape([-1, spec.in]).matmul(w).reshape([...x.shape.slice(0, -1), spec.out]) : x.matmul(w);
  return spec.bias ? y.add(b.param('b', [spec.out], { kind: 'uniform', low: -k, high: k })) : y;
}

export const linearLayer: LayerDefinition<LinearSpec> = { schema, build: buildLinear };
