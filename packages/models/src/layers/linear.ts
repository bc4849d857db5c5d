import { z } from 'zod';
import { fail, formatShape, type GraphBuilder, type Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';

const schema = z.strictObject({
  kind: z.literal('linear'),
  in: z.number().int().positive(),
  out: z.number().int().positive(),
  bias: z.boolean().default(false),
  /** Multiplies the default init bound, e.g. to make sparse spike inputs drive the next layer. */
  initScale: z.number().positive().default(1),
});

export type LinearSpec = Readonly<z.output<typeof schema>>;
export type LinearOptions = Partial<Omit<LinearSpec, 'kind' | 'in' | 'out'>>;

/** A dense projection `x @ w (+ b)` over the last axis, for inputs `[..., in]` (e.g. `[T, B, in]`). */
export function linear(inFeatures: number, outFeatures: number, options: LinearOptions = {}): LinearSpec {
  return validateLayerSpec(schema, { ...options, kind: 'linear', in: inFeatures, out: outFeatures });
}

/** PyTorch's default: kaiming-uniform with a = sqrt(5), i.e. U(±1/sqrt(in)) for weights and bias. */
export function linearBound(inFeatures: number, initScale = 1): number {
  return initScale / Math.sqrt(inFeatures);
}

/**
 * How a linear layer multiplies its 2-D input [N, in] by w [in, out]. The default is a plain
 * matmul; feedback alignment (fa-linear.ts) keeps the forward and replaces the backward.
 */
export type Projection = (x: Tensor, w: Tensor) => Tensor;

const plainMatmul: Projection = (x, w) => x.matmul(w);

export function buildLinear(b: GraphBuilder, x: Tensor, spec: Omit<LinearSpec, 'kind'>, project: Projection = plainMatmul): Tensor {
  const k = linearBound(spec.in, spec.initScale);
  const features = x.shape[x.rank - 1];
  if (features !== spec.in) fail('shape', b.path(), 'the input has the wrong number of features for this linear layer', `[..., ${spec.in}]`, formatShape(x.shape));
  const w = b.param('w', [spec.in, spec.out], { kind: 'uniform', low: -k, high: k });
  // Leading axes (time, batch) flattened into one: a plain 2-D matmul whose weight gradient
  // needs no sum over per-step copies.
  const y = x.rank > 2 ? project(x.reshape([-1, spec.in]), w).reshape([...x.shape.slice(0, -1), spec.out]) : project(x, w);
  return spec.bias ? y.add(b.param('b', [spec.out], { kind: 'uniform', low: -k, high: k })) : y;
}

export const linearLayer: LayerDefinition<LinearSpec> = { schema, build: buildLinear };
