import { grad, gradName, valueAndGrad, type BackpropConfig } from '@spikeflow/autodiff';
import {
  fail,
  finishLike,
  formatType,
  GraphBuilder,
  nodeAs,
  replayGraph,
  sameShape,
  type Graph,
  type NodeId,
  type Tensor,
  type TensorType,
} from '@spikeflow/core';
import type { Optimizer } from './optim/optimizer.js';
import type { UpdateSource } from './learning/rule.js';

/** The scalar input carrying the learning rate. */
export const LR_INPUT = 'lr';
/** The f32 scalar state counting the optimizer's steps (1 after the first call). */
export const STEP_STATE = 'optimizer/step';

/** The state holding slot `slot` of the param `param`, e.g. `linear0/w/momentum`. */
export function slotStateName(param: string, slot: string): string {
  return `${param}/${slot}`;
}

export interface TrainingGraphOptions extends BackpropConfig {
  /** The model output to minimise. */
  readonly loss: string;
  readonly optimizer: Optimizer;
  /** The params to train (default every f32 param); the others stay params. */
  readonly wrt?: readonly string[];
  /** Also output the model's other outputs (e.g. predictions), after the same forward pass. */
  readonly keepOutputs?: boolean;
  /**
   * Clip the gradients by their global norm before the optimizer sees them, as PyTorch's
   * `clip_grad_norm_`: every trained param's gradient is multiplied by min(1, c / (‖g‖ + 10⁻⁶)),
   * ‖g‖ the 2-norm over all of them together. Absent: no clipping.
   */
  readonly clipGradNorm?: number;
  /**
   * Where the updates come from instead of BPTT (e.g. `eprop(network)`): the optimizer consumes
   * the rule's updates exactly as it would consume gradients. Absent: `valueAndGrad`.
   */
  readonly rule?: UpdateSource;
}

function trainedParams(model: Graph, options: TrainingGraphOptions): readonly string[] {
  const outputs = model.outputs.map((o) => o.name);
  if (!outputs.includes(options.loss)) fail('interface', 'loss', `the model has no output named '${options.loss}'`, outputs.join(', ') || 'none', options.loss);
  const attrs = model.params.map((id) => nodeAs(model, id, 'param').attrs);
  const params = attrs.map((a) => a.name);
  // By default every param that can have a gradient; an integer param (a mask, say) stays a param.
  const wrt = options.wrt ?? attrs.filter((a) => a.dtype === 'f32').map((a) => a.name);
  wrt.forEach((name, i) => {
    if (!params.includes(name)) fail('interface', `wrt[${i}]`, `the model has no param named '${name}'`, params.join(', ') || 'none', name);
    if (wrt.indexOf(name) !== i) fail('interface', `wrt[${i}]`, `param '${name}' is listed twice`, 'each param once', name);
  });
  return wrt;
}

/** The gradients times min(1, bound / (‖g‖ + 10⁻⁶)), ‖g‖ their joint 2-norm (PyTorch's `clip_grad_norm_`). */
function clipByGlobalNorm(grads: readonly Tensor[], bound: number): Tensor[] {
  const squares = grads.map((g) => g.mul(g).sum());
  const norm = squares.slice(1).reduce((acc, sq) => acc.add(sq), squares[0]!).sqrt();
  const scale = norm.add(1e-6).reciprocal().mul(bound).minimum(1);
  return grads.map((g) => g.mul(scale));
}

/**
 * One training step as ONE graph: the loss, its gradients and the optimizer's update, so a step
 * is one submission on a GPU. Each trained param becomes a state leaf of the same name, shape and
 * initializer, so it lives on the device and is updated in place; the optimizer's slots are state
 * `<param>/<slot>`, `optimizer/step` counts the calls, and the learning rate is the scalar input
 * `lr`. The model's inputs, untrained params and state keep their roles.
 */
export function trainingGraph(model: Graph, options: TrainingGraphOptions): Graph {
  const wrt = trainedParams(model, options);
  const { clipGradNorm } = options;
  if (clipGradNorm !== undefined && !(clipGradNorm > 0 && Number.isFinite(clipGradNorm))) {
    fail('attr', 'clipGradNorm', 'the gradient norm bound must be a positive finite number', '> 0', String(clipGradNorm));
  }
  const { loss, optimizer, keepOutputs = false } = options;
  const differentiate = keepOutputs ? grad : valueAndGrad;
  const source = options.rule ? options.rule.updateGraph(model, { loss, wrt }) : differentiate(model, { of: loss, wrt, checkpointEvery: options.checkpointEvery });
  const trained = new Set(wrt);

  // The interface, as copyInterface lays it out, except that trained params become state.
  const b = new GraphBuilder();
  const leaves = new Map<NodeId, Tensor>();
  for (const id of source.inputs) {
    const a = nodeAs(source, id, 'input').attrs;
    leaves.set(id, b.input(a.name, a.shape, a.dtype));
  }
  const lr = b.input(LR_INPUT, []);
  for (const id of source.params) {
    const a = nodeAs(source, id, 'param').attrs;
    if (!trained.has(a.name)) leaves.set(id, b.param(a.name, a.shape, a.init, a.dtype));
  }
  for (const s of source.state) {
    const a = nodeAs(source, s.node, 'state').attrs;
    leaves.set(s.node, b.state(a.name, a.shape, a.init, a.dtype));
  }
  const params = source.params
    .map((id) => ({ id, attrs: nodeAs(source, id, 'param').attrs }))
    .filter(({ attrs }) => trained.has(attrs.name))
    .map(({ id, attrs }) => {
      const value = b.state(attrs.name, attrs.shape, attrs.init, attrs.dtype);
      leaves.set(id, value);
      return { attrs, value };
    });
  const slots = params.map(({ attrs }) =>
    optimizer.slots(attrs).map((slot) => b.state(slotStateName(attrs.name, slot.name), attrs.shape, slot.init, attrs.dtype)),
  );
  const step = b.state(STEP_STATE, [], { kind: 'zeros' });

  const values = replayGraph(b, source, (node) => leaves.get(node.id)!);
  const tensorOf = (id: NodeId): Tensor => {
    const v = values.get(id);
    if (v === undefined || Array.isArray(v)) throw new Error(`internal: node '${id}' did not replay to a tensor`);
    return v as Tensor;
  };
  const gradOf = (name: string): Tensor => tensorOf(source.outputs.find((o) => o.name === gradName(name))!.node);

  const t = step.add(1);
  b.setState(step, t);
  const grads = params.map(({ attrs }) => gradOf(attrs.name));
  const clipped = clipGradNorm === undefined || grads.length === 0 ? grads : b.scopePath('optimizer/clipGradNorm', () => clipByGlobalNorm(grads, clipGradNorm));
  params.forEach(({ attrs, value }, i) => {
    const where = `optimizer/${attrs.name}`;
    const out = b.scopePath(where, () => optimizer.update(b, { param: value, grad: clipped[i]!, slots: slots[i]!, step: t, lr }));
    if (out.slots.length !== slots[i]!.length) {
      fail('interface', where, `${optimizer.name} returned the wrong number of slots`, `${slots[i]!.length}`, `${out.slots.length}`);
    }
    // A custom optimizer that broadcasts would silently change the shape of the carried state.
    const expected: TensorType = { shape: attrs.shape, dtype: attrs.dtype };
    for (const next of [out.param, ...out.slots]) {
      if (!sameShape(next.shape, attrs.shape) || next.dtype !== attrs.dtype) {
        fail('shape', where, `${optimizer.name} changed the type of a param or slot`, formatType(expected), formatType(next.tensorType));
      }
    }
    b.setState(value, out.param);
    slots[i]!.forEach((slot, k) => b.setState(slot, out.slots[k]!));
  });

  const modelOutputs = new Set(model.outputs.map((o) => o.name));
  return finishLike(b, source, tensorOf, leaves, { keep: (name) => name === loss || (keepOutputs && modelOutputs.has(name)) });
}
