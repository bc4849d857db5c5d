import { fail, type ErrorCode } from '../errors.js';
import type { Graph, PrimitiveAttrs } from '../graph.js';
import { allocTensor, isHostTuple, type HostTensor, type HostTuple, type Precision } from '../host-tensor.js';
import { MAX_SCAN_LENGTH } from '../limits.js';
import { formatType, isTupleType, sameType, sizeOf, type TensorType, type TupleType, type ValueType } from '../types.js';
import { expectArity, expectPositiveInt } from './checks.js';
import type { CpuTable, InferTable } from './rule-types.js';

/**
 * `scan`, `customVjp` and `tupleGet`: the primitives that hold nested graphs or read their tuple
 * results. Their nested graphs are called by position, so the infer rules check each graph's
 * interface against the node's inputs; the graphs' insides are validated with their parent.
 */

type ControlOp = 'scan' | 'customVjp' | 'tupleGet';

// --- nested-graph interfaces ---------------------------------------------------------------

interface Signature {
  readonly inputs: readonly ValueType[];
  readonly outputs: readonly ValueType[];
}

/** The positional interface of a nested graph, rejecting one that is not graph-shaped or has leaves no call can feed. */
function signatureOf(graph: Graph, code: ErrorCode, where: string, what: string, feedHint: string): Signature {
  const g = graph as Partial<Graph> | null;
  if (typeof g !== 'object' || g === null || typeof g.nodes !== 'object' || !Array.isArray(g.inputs) || !Array.isArray(g.outputs) || !Array.isArray(g.params) || !Array.isArray(g.state)) {
    fail('attr', where, `${what} is not a graph`, 'a Graph with nodes, inputs, params, state and outputs', typeof graph);
  }
  // A nested graph is called on positional inputs only, so params and state would never be fed.
  if (graph.params.length > 0 || graph.state.length > 0) {
    fail(code, where, `${what} declares params or state; pass them in as ${feedHint}`, 'no params and no state', `${graph.params.length} params and ${graph.state.length} state`);
  }
  const typeOf = (id: string, field: string): ValueType => {
    const node = graph.nodes[id];
    if (node === undefined) fail('missing-node', where, `${what} ${field} refers to node '${id}', which is not in it`);
    return node.type;
  };
  return {
    inputs: graph.inputs.map((id, i) => typeOf(id, `input ${i}`)),
    outputs: graph.outputs.map((o, i) => typeOf(o.node, `output ${i} ('${o.name}')`)),
  };
}

function expectCount(x: unknown, where: string, field: string): asserts x is number {
  if (!Number.isInteger(x) || (x as number) < 0) fail('attr', where, `${field} must be a non-negative integer`, '>= 0', JSON.stringify(x));
}

/** A per-step or forward output must be a tensor; tuples cannot be stacked or returned. */
function expectTensorOutput(t: ValueType, code: ErrorCode, where: string, what: string): TensorType {
  if (isTupleType(t)) fail(code, where, `${what} is a tuple`, 'a tensor', formatType(t));
  return t;
}

// --- scan ----------------------------------------------------------------------------------

/** The role of scan input k, for messages: 'carry 1', 'sequence 0', 'const 2'. */
function scanRole(k: number, attrs: PrimitiveAttrs['scan']): string {
  if (k < attrs.numCarries) return `carry ${k}`;
  if (k < attrs.numCarries + attrs.numSequences) return `sequence ${k - attrs.numCarries}`;
  return `const ${k - attrs.numCarries - attrs.numSequences}`;
}

/**
 * Zero-step scans are rejected (length >= 1): the stacked outputs would be empty buffers, which
 * WebGPU cannot bind, and a scan over nothing is better written as its carries.
 */
function inferScan(inputs: readonly TensorType[], attrs: PrimitiveAttrs['scan'], where: string): TupleType {
  expectPositiveInt(attrs.length, where, 'scan length');
  if (attrs.length > MAX_SCAN_LENGTH) fail('limit', where, `scan length exceeds the limit of ${MAX_SCAN_LENGTH} steps`, `<= ${MAX_SCAN_LENGTH}`, `${attrs.length}`);
  expectCount(attrs.numCarries, where, 'scan numCarries');
  expectCount(attrs.numSequences, where, 'scan numSequences');
  if (typeof attrs.reverse !== 'boolean') fail('attr', where, 'scan reverse must be a boolean', 'true or false', JSON.stringify(attrs.reverse));
  const { length, numCarries, numSequences } = attrs;
  if (numCarries + numSequences > inputs.length) {
    fail('arity', where, 'scan has fewer inputs than its carries and sequences', `>= ${numCarries + numSequences} (${numCarries} carries + ${numSequences} sequences)`, `${inputs.length}`);
  }
  // What the body receives at each step: the carry, the sequence's slice at t, the const.
  const stepTypes = inputs.map((t, k): TensorType => {
    if (k < numCarries || k >= numCarries + numSequences) return t;
    const s = k - numCarries;
    if (t.shape.length === 0) fail('scan', where, `sequence ${s} is a scalar; sequences are sliced along axis 0`, 'rank >= 1', formatType(t));
    if (t.shape[0] !== length) fail('scan', where, `sequence ${s} has the wrong length along axis 0`, `${length} (the scan length)`, `${t.shape[0]} in ${formatType(t)}`);
    return { shape: t.shape.slice(1), dtype: t.dtype };
  });

  const body = signatureOf(attrs.body, 'scan', where, 'the scan body', 'consts');
  if (body.inputs.length !== inputs.length) {
    fail('scan', where, `the body takes a different number of inputs than the scan passes (${numCarries} carries, ${numSequences} sequences, ${inputs.length - numCarries - numSequences} consts)`, `${inputs.length}`, `${body.inputs.length}`);
  }
  body.inputs.forEach((found, k) => {
    const expected = stepTypes[k]!;
    if (!sameType(found, expected)) {
      const role = scanRole(k, attrs);
      const what = role.startsWith('sequence') ? `a slice of ${role}` : role;
      fail('scan', where, `body input ${k} does not match ${what}`, formatType(expected), formatType(found));
    }
  });
  if (body.outputs.length < numCarries) {
    fail('scan', where, 'the body returns fewer outputs than there are carries', `>= ${numCarries}`, `${body.outputs.length}`);
  }
  const carries = inputs.slice(0, numCarries).map((carry, i) => {
    const next = body.outputs[i]!;
    if (!sameType(next, carry)) fail('scan', where, `carry ${i} changes type in the body`, formatType(carry), formatType(next));
    return carry;
  });
  const stacked = body.outputs.slice(numCarries).map((y, j): TensorType => {
    const t = expectTensorOutput(y, 'scan', where, `per-step output ${j} of the body`);
    return { shape: [length, ...t.shape], dtype: t.dtype };
  });
  return { tuple: [...carries, ...stacked].map((t) => ({ shape: [...t.shape], dtype: t.dtype })) };
}

/** Row t of a sequence: a view, since rules never write into their inputs. */
function sliceAt(seq: HostTensor, t: number): HostTensor {
  const shape = seq.type.shape.slice(1);
  const n = sizeOf(shape);
  return { type: { shape, dtype: seq.type.dtype }, data: seq.data.subarray(t * n, (t + 1) * n) };
}

/** A fresh output of the node's type, so no result aliases a body's or forward's value. */
function copyInto(type: TensorType, from: HostTensor, precision: Precision): HostTensor {
  const out = allocTensor(type, precision);
  out.data.set(from.data);
  return out;
}

// --- customVjp -----------------------------------------------------------------------------

function inferCustomVjp(inputs: readonly TensorType[], attrs: PrimitiveAttrs['customVjp'], where: string): TupleType {
  expectPositiveInt(attrs.numOutputs, where, 'customVjp numOutputs');
  const { numOutputs } = attrs;
  const forward = signatureOf(attrs.forward, 'custom-vjp', where, 'the customVjp forward graph', 'inputs');
  const backward = signatureOf(attrs.backward, 'custom-vjp', where, 'the customVjp backward graph', 'residuals');

  if (forward.inputs.length !== inputs.length) {
    fail('custom-vjp', where, 'the forward graph takes a different number of inputs than the node has', `${inputs.length}`, `${forward.inputs.length}`);
  }
  forward.inputs.forEach((found, i) => {
    if (!sameType(found, inputs[i]!)) fail('custom-vjp', where, `forward input ${i} does not match primal input ${i}`, formatType(inputs[i]!), formatType(found));
  });
  if (forward.outputs.length < numOutputs) {
    fail('custom-vjp', where, 'the forward graph returns fewer outputs than numOutputs', `>= ${numOutputs}`, `${forward.outputs.length}`);
  }
  const outputs = forward.outputs.slice(0, numOutputs).map((y, i) => expectTensorOutput(y, 'custom-vjp', where, `forward output ${i}`));
  const residuals = forward.outputs.slice(numOutputs);

  // The backward graph takes (residuals..., one cotangent per output...) in that order.
  const expectedBwdIn = [...residuals, ...outputs];
  const roleOf = (k: number) => (k < residuals.length ? `residual ${k}` : `the cotangent of output ${k - residuals.length}`);
  if (backward.inputs.length !== expectedBwdIn.length) {
    fail('custom-vjp', where, `the backward graph must take ${residuals.length} residuals then ${numOutputs} cotangents`, `${expectedBwdIn.length} inputs`, `${backward.inputs.length}`);
  }
  backward.inputs.forEach((found, k) => {
    if (!sameType(found, expectedBwdIn[k]!)) fail('custom-vjp', where, `backward input ${k} does not match ${roleOf(k)}`, formatType(expectedBwdIn[k]!), formatType(found));
  });
  if (backward.outputs.length !== inputs.length) {
    fail('custom-vjp', where, 'the backward graph must return one cotangent per primal input', `${inputs.length}`, `${backward.outputs.length}`);
  }
  backward.outputs.forEach((found, i) => {
    if (!sameType(found, inputs[i]!)) fail('custom-vjp', where, `backward output ${i} (the cotangent of input ${i}) has the wrong type`, formatType(inputs[i]!), formatType(found));
  });
  return { tuple: outputs.map((t) => ({ shape: [...t.shape], dtype: t.dtype })) };
}

// --- tables --------------------------------------------------------------------------------

export const controlInfer: InferTable<ControlOp> = {
  scan: inferScan,
  customVjp: inferCustomVjp,
  tupleGet: (inputs, attrs, where) => {
    expectArity(inputs, 1, where, 'tupleGet');
    const t = inputs[0]!;
    if (!isTupleType(t)) fail('dtype', where, 'tupleGet reads a tuple (the result of scan or customVjp)', 'a tuple', formatType(t));
    const n = t.tuple.length;
    if (!Number.isInteger(attrs.index) || attrs.index < 0 || attrs.index >= n) {
      fail('attr', where, `tupleGet index out of range for a tuple of ${n}`, n === 0 ? 'no index (the tuple is empty)' : `an integer in [0, ${n - 1}]`, JSON.stringify(attrs.index));
    }
    return t.tuple[attrs.index]!;
  },
};

export const controlCpu: CpuTable<ControlOp> = {
  scan: (inputs, attrs, type, ctx) => {
    const { length, numCarries, numSequences, reverse, body } = attrs;
    const types = (type as TupleType).tuple;
    let carries = inputs.slice(0, numCarries);
    const sequences = inputs.slice(numCarries, numCarries + numSequences);
    const consts = inputs.slice(numCarries + numSequences);
    const stacked = types.slice(numCarries).map((t) => allocTensor(t, ctx.precision));
    const stepSizes = stacked.map((s) => sizeOf(s.type.shape.slice(1)));
    for (let step = 0; step < length; step++) {
      // Reversed, time still indexes the stacked outputs: row t is always step t's output.
      const t = reverse ? length - 1 - step : step;
      const outs = ctx.runSubgraph(body, [...carries, ...sequences.map((s) => sliceAt(s, t)), ...consts]);
      carries = outs.slice(0, numCarries);
      stacked.forEach((s, j) => s.data.set(outs[numCarries + j]!.data, t * stepSizes[j]!));
    }
    const finals = carries.map((c, i) => copyInto(types[i]!, c, ctx.precision));
    return { tuple: [...finals, ...stacked] } satisfies HostTuple;
  },
  customVjp: (inputs, attrs, type, ctx) => {
    // Only the forward half runs here; the backward graph is for autodiff.
    const outs = ctx.runSubgraph(attrs.forward, inputs);
    return { tuple: (type as TupleType).tuple.map((t, i) => copyInto(t, outs[i]!, ctx.precision)) };
  },
  tupleGet: ([value], attrs, _type, ctx) => {
    if (value === undefined || !isHostTuple(value)) fail('dtype', ctx.where, 'tupleGet reads a tuple', 'a tuple', 'a tensor');
    const element = value.tuple[attrs.index];
    if (element === undefined) fail('attr', ctx.where, 'tupleGet index out of range', `< ${value.tuple.length}`, `${attrs.index}`);
    return element;
  },
};
