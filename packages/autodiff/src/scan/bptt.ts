import { topologicalOrder, type Graph, type GraphBuilder, type NodeId, type PrimitiveAttrs, type Tensor, type TensorType } from '@spikeflow/core';
import { produce } from 'immer';
import { dependents } from '../dependents.js';
import type { VjpContext } from '../vjp-types.js';

/**
 * Backpropagation through time for `scan`, in two halves that the plain and the checkpointed
 * gradients share: a forward scan that also stacks the carries entering each step
 * (`savingScan`), and the reverse-time scan that runs the body's VJP step by step
 * (`reverseScan`).
 */

type ScanAttrs = PrimitiveAttrs['scan'];

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function isF32(body: Graph, id: NodeId): boolean {
  return (body.nodes[id]!.type as TensorType).dtype === 'f32';
}

/** Adds a scan node named `name` and reads every element of its tuple, naming element i's read `name/label(i)`. */
export function scanElements(b: GraphBuilder, inputs: readonly Tensor[], attrs: ScanAttrs, name: string, label: (i: number) => string): Tensor[] {
  const node = b.op('scan', inputs, attrs, name);
  const { tuple } = node.type as { tuple: readonly TensorType[] };
  return b.scopePath(name, () => tuple.map((_, i) => b.op('tupleGet', [node], { index: i }, label(i))));
}

// --- forward: a scan that saves its carries ----------------------------------------------------

const savingBodies = new WeakMap<Graph, Graph>();

/** The body with extra per-step outputs: its input carries, which the scan stacks as c_0..c_{T-1}. */
function withSavedCarries(body: Graph, numCarries: number): Graph {
  let saving = savingBodies.get(body);
  if (saving === undefined) {
    saving = produce(body, (draft) => {
      body.inputs.slice(0, numCarries).forEach((id, i) => draft.outputs.push({ name: `savedCarry${i}`, node: id }));
    });
    savingBodies.set(body, saving);
  }
  return saving;
}

export interface SavingScan {
  /** The elements of the original scan's tuple: final carries, then stacked outputs. */
  readonly elements: Tensor[];
  /** Per carry, `[length, ...carry]`: row t is the carry entering the step at time index t. */
  readonly saved: Tensor[];
}

/**
 * Runs `length` steps of the scan on `inputs` (carries, sequences, consts), also stacking the
 * carries entering each step. Reversed, row t still belongs to time index t, so the saved rows
 * line up with the sequences and the output cotangents.
 */
export function savingScan(b: GraphBuilder, attrs: ScanAttrs, inputs: readonly Tensor[], length: number, name: string, savedLabel: string): SavingScan {
  const { body, numCarries } = attrs;
  const numElements = body.outputs.length;
  const all = scanElements(b, inputs, { ...attrs, length, body: withSavedCarries(body, numCarries) }, name, (i) =>
    i < numElements ? 'tupleGet' : `${savedLabel}/carry${i - numElements}`,
  );
  return { elements: all.slice(0, numElements), saved: all.slice(numElements) };
}

// --- which parts carry a gradient --------------------------------------------------------------

/** The parts of a scan a gradient flows through, by index within their group. */
export interface ScanGradPlan {
  readonly attrs: ScanAttrs;
  /** Float carries that depend on something differentiated: their cotangents flow back in time. */
  readonly carries: readonly number[];
  /** Sequences and consts that need a cotangent. */
  readonly sequences: readonly number[];
  readonly consts: readonly number[];
  /** Per-step outputs that have a cotangent. */
  readonly outputs: readonly number[];
}

/**
 * A carry needs its cotangent carried back in time when its initial value needs a gradient or
 * its update depends on a differentiated carry, sequence or const: a fixed point, since the
 * carries feed each other through the body. Other carries are still replayed, not differentiated.
 */
export function planScanGrad(attrs: ScanAttrs, needs: readonly boolean[], cotangents: readonly (Tensor | undefined)[]): ScanGradPlan {
  const { body, numCarries: nc, numSequences: ns } = attrs;
  const numConsts = body.inputs.length - nc - ns;
  const sequences = range(ns).filter((s) => needs[nc + s]);
  const consts = range(numConsts).filter((j) => needs[nc + ns + j]);
  const order = topologicalOrder(body);
  let carries = range(nc).filter((i) => needs[i]);
  for (;;) {
    const reached = dependents(body, activeInputs(body, { attrs, carries, sequences, consts }), order);
    const next = range(nc).filter((i) => isF32(body, body.inputs[i]!) && (carries.includes(i) || reached.has(body.outputs[i]!.node)));
    if (next.length === carries.length) break;
    carries = next;
  }
  const outputs = range(body.outputs.length - nc).filter((j) => cotangents[nc + j] !== undefined && isF32(body, body.outputs[nc + j]!.node));
  return { attrs, carries, sequences, consts, outputs };
}

/** Body inputs a gradient is taken with respect to. */
function activeInputs(body: Graph, plan: Omit<ScanGradPlan, 'outputs'>): NodeId[] {
  const { numCarries: nc, numSequences: ns } = plan.attrs;
  return [...plan.carries.map((i) => body.inputs[i]!), ...plan.sequences.map((s) => body.inputs[nc + s]!), ...plan.consts.map((j) => body.inputs[nc + ns + j]!)];
}

// --- backward: the reverse-time scan -----------------------------------------------------------

export interface ReverseScanInputs {
  /** Per carry (all of them), `[length, ...carry]` from `savingScan`. */
  readonly saved: readonly Tensor[];
  /** All sequences and consts of the forward scan. */
  readonly sequences: readonly Tensor[];
  readonly consts: readonly Tensor[];
  /** Per `plan.outputs`, the stacked output cotangent. */
  readonly dys: readonly Tensor[];
  /** Per `plan.carries`, the cotangent of the carry leaving the last step. */
  readonly dc: readonly Tensor[];
  /** Per `plan.consts`, the const cotangent accumulated so far. */
  readonly acc: readonly Tensor[];
}

export interface ReverseScanResult {
  /** Per `plan.carries`, the cotangent of the carry entering the first step. */
  readonly dc: Tensor[];
  /** Per `plan.consts`, the accumulated cotangent. */
  readonly acc: Tensor[];
  /** Per `plan.sequences`, the stacked sequence cotangent. */
  readonly dxs: Tensor[];
}

/**
 * BPTT over `length` steps: a scan in the opposite direction whose body replays the forward
 * body on the saved (c_t, x_t, k) and backpropagates through it, seeded with dc_{t+1} on the new
 * carries and dy_t on the outputs. Replay and backprop are the whole-graph ones (from `ctx`), so
 * scans and customVjps nested in the body are differentiated by their own rules.
 */
export function reverseScan(b: GraphBuilder, plan: ScanGradPlan, length: number, parts: ReverseScanInputs, ctx: VjpContext): ReverseScanResult {
  const { body, numCarries: nc, numSequences: ns } = plan.attrs;
  const order = topologicalOrder(body);
  const needsGrad = dependents(body, activeInputs(body, plan), order);
  const position = new Map(body.inputs.map((id, k) => [id, k]));
  const numDc = plan.carries.length;
  const result = b.scan({
    length,
    reverse: !plan.attrs.reverse,
    carries: [...parts.dc, ...parts.acc],
    sequences: [...parts.saved, ...parts.sequences, ...parts.dys],
    consts: parts.consts,
    body: (bb, carries, slices, consts) => {
      const primal = [...slices.slice(0, nc + ns), ...consts];
      const dys = slices.slice(nc + ns);
      const values = ctx.replay(bb, body, (n) => primal[position.get(n.id)!]!, needsGrad, order);
      const seeds = new Map<NodeId, Tensor>();
      const seed = (id: NodeId, g: Tensor) => seeds.set(id, seeds.get(id)?.add(g) ?? g);
      plan.carries.forEach((i, a) => seed(body.outputs[i]!.node, carries[a]!));
      plan.outputs.forEach((j, a) => seed(body.outputs[nc + j]!.node, dys[a]!));
      const cot = ctx.backprop(bb, body, values, seeds, needsGrad, order);
      const cotOf = (k: number) => cot.get(body.inputs[k]!);
      const orZeros = (k: number) => cotOf(k) ?? bb.constant(0, primal[k]!.shape);
      const acc = plan.consts.map((j, a) => {
        const g = cotOf(nc + ns + j);
        return g === undefined ? carries[numDc + a]! : carries[numDc + a]!.add(g);
      });
      return { carries: [...plan.carries.map(orZeros), ...acc], outputs: plan.sequences.map((s) => orZeros(nc + s)) };
    },
  });
  return { dc: result.carries.slice(0, numDc), acc: result.carries.slice(numDc), dxs: result.outputs };
}
