import { fail } from './errors.js';
import type { Graph } from './graph.js';
import { allocTensor, type HostData, type HostTensor, type Precision } from './host-tensor.js';
import type { Initializer } from './primitives.js';
import { initStream, isValidSeed, streamNormal, streamUniform } from './rng/philox.js';
import { formatShape, formatType, isTupleType, type TensorType } from './types.js';

/**
 * First values of `param` and `state` leaves. Random kinds draw from the Philox stream of
 * (seed, hash of `name`) (see rng/philox.ts), so the same seed reproduces a model exactly on
 * any backend and two params of one shape still get different numbers.
 */

/** Stores a number as the dtype does: bool as 0/1, integers truncated by the typed array. */
function store(data: HostData, i: number, value: number, dtype: TensorType['dtype']): void {
  data[i] = dtype === 'bool' ? Number(value !== 0) : value;
}

/** The largest value of the storage's float type below `x`, for keeping uniforms below `high`. */
function nextBelow(x: number, data: HostData): number {
  if (data instanceof Float32Array) {
    const f = new Float32Array([x]);
    const bits = new Int32Array(f.buffer);
    if (x > 0) bits[0]! -= 1;
    else if (x < 0) bits[0]! += 1;
    else return -1.401298464324817e-45; // -(smallest f32 subnormal)
    return f[0]!;
  }
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  if (x > 0) bits[0]! -= 1n;
  else if (x < 0) bits[0]! += 1n;
  else return -Number.MIN_VALUE;
  return f[0]!;
}

function expectFinite(value: number, name: string, what: string): void {
  if (!Number.isFinite(value)) fail('attr', name, `initializer ${what} must be a finite number`, 'a finite number', String(value));
}

export function initialValue(init: Initializer, type: TensorType, precision: Precision, name: string, seed = 0): HostTensor {
  if (!isValidSeed(seed)) fail('attr', name, 'the initialization seed must be a non-negative integer below 2^53', 'an integer in [0, 2^53)', String(seed));
  const out = allocTensor(type, precision);
  const { data } = out;
  const size = data.length;
  switch (init.kind) {
    case 'zeros':
      return out;
    case 'ones':
      data.fill(1);
      return out;
    case 'fill':
      for (let i = 0; i < size; i++) store(data, i, init.value, type.dtype);
      return out;
    case 'values':
      if (init.values.length !== size) {
        fail('attr', name, `initializer values do not fill shape ${formatShape(type.shape)}`, `${size} values`, `${init.values.length}`);
      }
      for (let i = 0; i < size; i++) store(data, i, init.values[i]!, type.dtype);
      return out;
    case 'uniform': {
      expectFinite(init.low, name, 'low');
      expectFinite(init.high, name, 'high');
      if (init.low > init.high) fail('attr', name, 'uniform initializer needs low <= high', `low <= high`, `low ${init.low}, high ${init.high}`);
      expectRandomDType(type, name);
      const stream = initStream(seed, name);
      const { low, high } = init;
      for (let i = 0; i < size; i++) {
        data[i] = low + (high - low) * streamUniform(stream, i);
        // Rounding to storage can land exactly on `high`; keep the interval half-open.
        if (high > low && data[i]! >= high) data[i] = nextBelow(high, data);
      }
      return out;
    }
    case 'normal': {
      expectFinite(init.mean, name, 'mean');
      expectFinite(init.std, name, 'std');
      if (init.std < 0) fail('attr', name, 'normal initializer needs std >= 0', 'std >= 0', `${init.std}`);
      expectRandomDType(type, name);
      const stream = initStream(seed, name);
      for (let i = 0; i < size; i++) data[i] = init.mean + init.std * streamNormal(stream, i);
      return out;
    }
  }
}

/** Random initial values only make sense for floats; an integer would silently truncate. */
function expectRandomDType(type: TensorType, name: string): void {
  if (type.dtype !== 'f32') fail('dtype', name, 'a random initializer needs an f32 tensor', 'f32', type.dtype);
}

export interface InitParamsOptions {
  /** Integer in [0, 2^53); default 0. */
  readonly seed?: number;
  readonly precision?: Precision;
}

/**
 * Initial values of every param of a graph, keyed by the param's name, ready to feed as
 * `Feeds.params`. Each is drawn as `params.<name>`, so renaming a param changes its numbers but
 * adding another param does not.
 */
export function initParams(graph: Graph, options: InitParamsOptions = {}): Record<string, HostTensor> {
  const seed = options.seed ?? 0;
  const precision = options.precision ?? 'f32';
  if (!isValidSeed(seed)) fail('attr', 'seed', 'the initialization seed must be a non-negative integer below 2^53', 'an integer in [0, 2^53)', String(seed));
  // Null-prototype: a param named `__proto__` stays a param.
  const out: Record<string, HostTensor> = Object.create(null);
  for (const id of graph.params) {
    const node = graph.nodes[id];
    if (node === undefined || node.op !== 'param') {
      fail('interface', node?.name ?? id, 'graph.params lists a node that is not a param', 'a param node', node?.op ?? 'nothing');
    }
    const attrs = node.attrs;
    if (isTupleType(node.type)) fail('interface', node.name, 'a param must be a tensor', 'a tensor', formatType(node.type));
    // Keyed by the bare leaf name: a param that a training graph turns into state starts identical.
    out[attrs.name] = initialValue(attrs.init, node.type, precision, attrs.name, seed);
  }
  return out;
}
