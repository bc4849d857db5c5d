import { z } from 'zod';
import { DTYPES } from '../dtype.js';
import type { AnyNode, Graph, Primitive, PrimitiveAttrs, Surrogate } from '../graph.js';
import type { Initializer } from '../primitives.js';
import { SURROGATE_NAMES } from '../surrogate.js';
import type { TensorType, ValueType } from '../types.js';

/**
 * The zod schema of the graph JSON format. It checks structure and JSON types only; what a
 * value means (an axis in range, shapes that agree) is the infer rules' job, run afterwards by
 * `validateGraph`. Objects are strict, so a misspelt field is an error rather than ignored.
 */

export const GRAPH_JSON_FORMAT = 'spikeflow-graph';
export const GRAPH_JSON_VERSION = 1;

/** JSON.stringify writes -0 as 0, so the writer spells it "-0"; every number field accepts that. */
export const NEGATIVE_ZERO = '-0';

const num = z.union([z.number(), z.literal(NEGATIVE_ZERO).transform(() => -0)]);
const int = num.pipe(z.number().int());
const count = num.pipe(z.number().int().nonnegative());
const pair = z.tuple([int, int]);

const dtype = z.enum(DTYPES);
const shape = z.array(count);

const tensorType: z.ZodType<TensorType> = z.strictObject({ shape, dtype });
const valueType: z.ZodType<ValueType> = z.union([tensorType, z.strictObject({ tuple: z.array(tensorType) })]);

const initializer: z.ZodType<Initializer> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('zeros') }),
  z.strictObject({ kind: z.literal('ones') }),
  z.strictObject({ kind: z.literal('fill'), value: num }),
  z.strictObject({ kind: z.literal('values'), values: z.array(num) }),
  z.strictObject({ kind: z.literal('uniform'), low: num, high: num }),
  z.strictObject({ kind: z.literal('normal'), mean: num, std: num }),
]);

/** Nested graphs (scan bodies, customVjp halves, custom surrogates) use the one graph schema. */
const nestedGraph: z.ZodType<Graph> = z.lazy(() => graphSchema);

const surrogate: z.ZodType<Surrogate> = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.enum(SURROGATE_NAMES), alpha: num }),
  z.strictObject({ kind: z.literal('custom'), derivative: nestedGraph }),
]);

const none = z.strictObject({});
const reduce = z.strictObject({ axes: z.array(int), keepDims: z.boolean() });
const random = z.strictObject({ shape, seed: count });
const named = { name: z.string(), shape, dtype };

/**
 * Attr schema of every primitive. Typed over the primitive set, so a new primitive fails
 * type-checking until it has one here.
 */
export const attrSchemas: { readonly [P in Primitive]: z.ZodType<PrimitiveAttrs[P]> } = {
  neg: none, abs: none, sign: none, exp: none, log: none, sqrt: none, rsqrt: none, reciprocal: none,
  sin: none, cos: none, tanh: none, sigmoid: none, floor: none, ceil: none, round: none, logicalNot: none,
  add: none, sub: none, mul: none, div: none, pow: none, maximum: none, minimum: none,
  less: none, lessEqual: none, greater: none, greaterEqual: none, equal: none, notEqual: none,
  logicalAnd: none, logicalOr: none,
  sum: reduce, max: reduce, mean: reduce,
  uniform: random, normal: random, bernoulli: random,

  input: z.strictObject(named),
  param: z.strictObject({ ...named, init: initializer }),
  state: z.strictObject({ ...named, init: initializer }),
  constant: z.strictObject({ shape, dtype, value: z.union([num, z.array(num)]) }),

  where: none,
  cast: z.strictObject({ dtype }),
  spike: z.strictObject({ surrogate }),

  reshape: z.strictObject({ shape }),
  transpose: z.strictObject({ perm: z.array(int) }),
  broadcast: z.strictObject({ shape }),
  slice: z.strictObject({ starts: z.array(int), ends: z.array(int), steps: z.array(int) }),
  concat: z.strictObject({ axis: int }),
  pad: z.strictObject({ pads: z.array(pair), value: num }),
  gather: z.strictObject({ axis: int }),
  oneHot: z.strictObject({ depth: int }),

  matmul: z.strictObject({ transposeA: z.boolean(), transposeB: z.boolean() }),
  conv1d: z.strictObject({ stride: int, padding: pair, dilation: int, groups: int }),
  conv2d: z.strictObject({ stride: pair, padding: z.tuple([pair, pair]), dilation: pair, groups: int }),

  scan: z.strictObject({ body: nestedGraph, length: int, numCarries: int, numSequences: int, reverse: z.boolean() }),
  customVjp: z.strictObject({ forward: nestedGraph, backward: nestedGraph, numOutputs: int }),
  stopGradient: none,
  tupleGet: z.strictObject({ index: int }),
};

function nodeSchemaOf<P extends Primitive>(op: P) {
  return z.strictObject({
    id: z.string(),
    op: z.literal(op),
    inputs: z.array(z.string()),
    attrs: attrSchemas[op],
    type: valueType,
    name: z.string(),
  });
}

const [firstNode, ...otherNodes] = (Object.keys(attrSchemas) as Primitive[]).map(nodeSchemaOf);

/** A node, picked by its `op`: an unknown op fails at `nodes.<id>.op`. */
// Each op's schema pairs that op with its attrs, so what parses is an AnyNode; zod cannot see
// that through the mapped list, hence the one cast.
const nodeSchema = z.discriminatedUnion('op', [firstNode!, ...otherNodes]) as unknown as z.ZodType<AnyNode>;

const id = z.string();

export const graphSchema: z.ZodType<Graph> = z.strictObject({
  nodes: z.record(z.string(), nodeSchema),
  inputs: z.array(id),
  params: z.array(id),
  state: z.array(z.strictObject({ node: id, update: id })),
  outputs: z.array(z.strictObject({ name: z.string(), node: id })),
});

/** The whole file: checked after its header, so a future version is reported as such. */
export const envelopeSchema = z.strictObject({
  format: z.literal(GRAPH_JSON_FORMAT),
  version: z.literal(GRAPH_JSON_VERSION),
  graph: graphSchema,
});
