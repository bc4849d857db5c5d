import type { z } from 'zod';
import { fail, GraphBuilder, type DType, type Graph, type Shape, type Tensor } from '@spikeflow/core';
import { checkSpec } from './validate-spec.js';

/** One layer of a declarative model: plain JSON data whose `kind` names its definition. */
export interface LayerSpec {
  readonly kind: string;
}

export interface SequentialSpec {
  readonly kind: 'sequential';
  readonly layers: readonly LayerSpec[];
}

/**
 * How a layer kind becomes graph nodes. `schema` validates (and fills defaults of) its JSON form
 * and rejects unknown fields; `build` traces it with the same builder API a user would call by
 * hand, so the declarative and the tracing front doors give identical graphs.
 */
export interface LayerDefinition<S extends LayerSpec = LayerSpec> {
  readonly schema: z.ZodType<S>;
  build(b: GraphBuilder, x: Tensor, spec: S): Tensor;
}

export type LayerLibrary = Readonly<Record<string, LayerDefinition<LayerSpec>>>;

export interface BuildOptions {
  readonly input: { readonly name: string; readonly shape: Shape; readonly dtype?: DType };
  readonly library: LayerLibrary;
  /** Name of the graph's output (default `output`). */
  readonly output?: string;
}

/** The scope of layer i: its kind and position, e.g. `linear0`, `lif1`. */
export function layerScope(kind: string, index: number): string {
  return `${kind}${index}`;
}

/** Validates one layer against its kind's schema; errors name the field, e.g. `layers[1].tau`. */
function parseLayer(raw: unknown, index: number, library: LayerLibrary): LayerSpec {
  const where = `layers[${index}]`;
  const kind = raw !== null && typeof raw === 'object' && Object.hasOwn(raw, 'kind') ? (raw as { kind: unknown }).kind : undefined;
  if (typeof kind !== 'string') fail('spec', `${where}.kind`, 'every layer needs a string `kind`', Object.keys(library).join(', '), JSON.stringify(kind));
  if (!Object.hasOwn(library, kind)) fail('spec', `${where}.kind`, `unknown layer kind '${kind}'`, Object.keys(library).join(', '), kind);
  return checkSpec(library[kind]!.schema, raw, where);
}

const SEQUENTIAL_FIELDS = new Set(['kind', 'layers']);

/** Validates a sequential spec (an object or its JSON text) against a layer library. */
export function parseSequential(spec: unknown, library: LayerLibrary): SequentialSpec {
  let raw = spec;
  if (typeof spec === 'string') {
    try {
      raw = JSON.parse(spec);
    } catch (e) {
      fail('json', 'spec', `malformed JSON: ${(e as Error).message}`);
    }
  }
  const top = raw as { kind?: unknown; layers?: unknown } | null;
  if (top === null || typeof top !== 'object' || top.kind !== 'sequential') {
    fail('spec', 'kind', 'a model spec must be { "kind": "sequential", "layers": [...] }', '"sequential"', JSON.stringify(top?.kind));
  }
  const unknown = Object.keys(top).find((key) => !SEQUENTIAL_FIELDS.has(key));
  if (unknown !== undefined) fail('spec', unknown, `unknown field '${unknown}'`, 'kind, layers');
  if (!Array.isArray(top.layers) || top.layers.length === 0) fail('spec', 'layers', 'layers must be a non-empty array', 'an array of layers', JSON.stringify(top.layers));
  return { kind: 'sequential', layers: top.layers.map((l, i) => parseLayer(l, i, library)) };
}

export interface LayerOutput {
  /** The layer's scope, e.g. `lif1` (its params are `lif1/...`). */
  readonly name: string;
  readonly output: Tensor;
}

/**
 * Traces a sequential spec's layers on `x` in the current builder, each in its own scope
 * (`linear0`, `lif1`, ...), and returns every layer's output: for a model with a head of its
 * own, or to look inside one.
 */
export function applySequential(b: GraphBuilder, spec: unknown, x: Tensor, library: LayerLibrary): LayerOutput[] {
  const checked = parseSequential(spec, library);
  const outputs: LayerOutput[] = [];
  checked.layers.forEach((layer, i) => {
    const name = layerScope(layer.kind, i);
    x = b.scope(name, () => library[layer.kind]!.build(b, x, layer));
    outputs.push({ name, output: x });
  });
  return outputs;
}

/** Builds the graph of a sequential model: each layer traced in its own scope (`linear0`, `lif1`, ...). */
export function buildSequential(spec: SequentialSpec | string, options: BuildOptions): Graph {
  const b = new GraphBuilder();
  const x = b.input(options.input.name, options.input.shape, options.input.dtype ?? 'f32');
  const layers = applySequential(b, spec, x, options.library);
  return b.finish({ [options.output ?? 'output']: layers[layers.length - 1]!.output });
}
