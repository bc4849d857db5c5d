import { z } from 'zod';
import { fail } from '../errors.js';
import type { Graph } from '../graph.js';
import { GraphBuilder } from '../trace/builder.js';
import type { Tensor } from '../trace/tensor.js';
import type { DType } from '../dtype.js';
import type { Shape } from '../types.js';

/** One layer of a declarative model: plain JSON data whose `kind` names its definition. */
export interface LayerSpec {
  readonly kind: string;
}

export interface SequentialSpec {
  readonly kind: 'sequential';
  readonly layers: readonly LayerSpec[];
}

/**
 * How a layer kind becomes graph nodes. `schema` validates (and fills defaults of) its JSON form;
 * `build` traces it with the same builder API a user would call by hand, so the declarative and
 * the tracing front doors give identical graphs.
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

function issuePath(prefix: string, issue: z.core.$ZodIssue): string {
  return [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/\.\[/g, '[');
}

/** Validates one layer against its kind's schema; errors name the field, e.g. `layers[1].tau`. */
function parseLayer(raw: unknown, index: number, library: LayerLibrary): LayerSpec {
  const where = `layers[${index}]`;
  const kind = (raw as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string') fail('spec', `${where}.kind`, 'every layer needs a string `kind`', Object.keys(library).join(', '), JSON.stringify(kind));
  const definition = library[kind];
  if (definition === undefined) fail('spec', `${where}.kind`, `unknown layer kind '${kind}'`, Object.keys(library).join(', '), kind);
  const parsed = definition.schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail('spec', issuePath(where, issue), issue.message);
  }
  return parsed.data;
}

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
  if (!Array.isArray(top.layers) || top.layers.length === 0) fail('spec', 'layers', 'layers must be a non-empty array', 'an array of layers', JSON.stringify(top.layers));
  return { kind: 'sequential', layers: top.layers.map((l, i) => parseLayer(l, i, library)) };
}

/** Builds the graph of a sequential model: each layer traced in its own scope (`linear0`, `lif1`, ...). */
export function buildSequential(spec: SequentialSpec | string, options: BuildOptions): Graph {
  const checked = parseSequential(spec, options.library);
  const b = new GraphBuilder();
  let x = b.input(options.input.name, options.input.shape, options.input.dtype ?? 'f32');
  checked.layers.forEach((layer, i) => {
    x = b.scope(layerScope(layer.kind, i), () => options.library[layer.kind]!.build(b, x, layer));
  });
  return b.finish({ [options.output ?? 'output']: x });
}
