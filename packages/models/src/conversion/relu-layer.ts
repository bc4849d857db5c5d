import { z } from 'zod';
import type { GraphBuilder, Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';

/** The rectifier max(0, x) as a layer: the non-spiking activation of a network to be converted to IF neurons. */
const schema = z.strictObject({ kind: z.literal('relu') });

export type ReluSpec = Readonly<z.output<typeof schema>>;

export function relu(): ReluSpec {
  return validateLayerSpec(schema, { kind: 'relu' });
}

export function buildRelu(_b: GraphBuilder, x: Tensor): Tensor {
  return x.relu();
}

export const reluLayer: LayerDefinition<ReluSpec> = { schema, build: buildRelu };
