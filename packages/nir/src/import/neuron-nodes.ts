import { fail, formatShape, type GraphBuilder, type Shape, type Tensor } from '@spikeflow/core';
import type { AnyNeuron } from '@spikeflow/models';
import type { NirArray, NirCubaLI, NirCubaLIF, NirI, NirIF, NirLI, NirLIF } from '../nir-graph.js';
import { expectFinite, nextUpF32, toF32 } from './arrays.js';
import { nirCubaLi, nirCubaLif, nirIf, nirIntegrator, nirLi, nirLif } from './neurons.js';
import type { NodeContext } from './node-context.js';
import type { LeakArithmetic } from './options.js';

export type NeuronNode = NirI | NirIF | NirLI | NirLIF | NirCubaLI | NirCubaLIF;

/** A neuron node ready to step: its spikeflow neuron, the tensors its step takes, and its state at t = 0. */
export interface SteppedNeuron {
  readonly kind: 'neuron';
  readonly neuron: AnyNeuron;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<string, Tensor>>;
  /** The per-sample shape of the population (of its parameter arrays). */
  readonly shape: Shape;
  /** State at t = 0 for a batch: v = v_leak (the resting potential; 0 for IF and I), I = 0. */
  initial(b: GraphBuilder, batch: number): Readonly<Record<string, Tensor>>;
}

/** The node's arrays, checked: all finite, all of one shape. */
function arraysOf(ctx: NodeContext, node: NeuronNode): { shape: Shape; get: (field: string) => NirArray | undefined } {
  const fields = Object.entries(node).filter(([k, v]) => k !== 'type' && v !== undefined) as [string, NirArray][];
  // The population's shape is that of its largest array; an array of one element is broadcast (NIR's v_reset default is [0]).
  const shape = fields.reduce((best, [, a]) => (a.data.length > best.data.length ? a : best), fields[0]![1]).shape;
  for (const [field, a] of fields) {
    expectFinite(a, `${ctx.name}.${field}`);
    const sameSize = a.data.length === 1 || a.data.length === shape.reduce((p, d) => p * d, 1);
    if (!sameSize) fail('shape', `${ctx.name}.${field}`, `every parameter of a ${node.type} node has the shape of its population`, formatShape(shape), formatShape(a.shape));
  }
  const map = new Map(fields);
  return { shape: [...shape], get: (field) => map.get(field) };
}

/** Elementwise f(values...) in f64, rounded by the graph to f32. */
function derived(arrays: readonly (NirArray | number)[], size: number, f: (...v: number[]) => number): number[] {
  const at = (a: NirArray | number, i: number) => (typeof a === 'number' ? a : a.data.length === 1 ? a.data[0]! : a.data[i]!);
  return Array.from({ length: size }, (_, i) => f(...arrays.map((a) => at(a, i))));
}

/**
 * With the reset a step late, the spike to subtract is read back from the last step's membrane;
 * a neuron that started at or above its threshold would lose a threshold it never fired for.
 */
function startsBelow(ctx: NodeContext, vFire: readonly number[], vLeak: NirArray | undefined): void {
  vFire.forEach((fire, i) => {
    const start = vLeak === undefined ? 0 : Math.fround(vLeak.data.length === 1 ? vLeak.data[0]! : vLeak.data[i]!);
    if (start >= fire) fail('attr', `${ctx.name}.v_leak`, "with reset 'subtract-threshold-next-step' a neuron must start (at v_leak) below its threshold", `< ${fire}`, `${start} at element ${i}`);
  });
}

export function neuronNode(ctx: NodeContext, node: NeuronNode): SteppedNeuron {
  const { shape, get } = arraysOf(ctx, node);
  const size = shape.reduce((p, d) => p * d, 1);
  const { dt } = ctx.options;
  const c = (field: string, values: ArrayLike<number>) => ctx.constant(field, shape, values);
  const need = (field: string): NirArray => get(field) ?? fail('attr', `${ctx.name}.${field}`, `a ${node.type} node needs '${field}'`);
  const positive = (field: string): NirArray => {
    const a = need(field);
    if (a.data.some((t) => !(t > 0))) fail('attr', `${ctx.name}.${field}`, 'a time constant must be positive', '> 0', String(a.data.find((t) => !(t > 0))));
    return a;
  };
  const leakRule = ctx.options.leakOf(ctx.name);
  const k = (field: string, arithmetic: LeakArithmetic = 'rate') =>
    c(`k_${field}`, derived([positive(field)], size, (tau) => (arithmetic === 'time-constant' ? tau / dt : dt / tau)));
  /** k = dt/τ (or τ/dt), and for the `decay` arithmetic also 1 − dt/τ, each rounded to f32 once. */
  const leakParams = () => ({
    k: k('tau', leakRule),
    r: plain('r', 1),
    vLeak: plain('v_leak', 0),
    ...(leakRule === 'decay' ? { decay: c('decay_tau', derived([positive('tau')], size, (tau) => 1 - dt / tau)) } : {}),
  });
  const plain = (field: string, fallback: number) => {
    const a = get(field);
    return c(field, a === undefined ? [fallback] : Array.from(a.data));
  };
  const resetRule = ctx.options.resetOf(ctx.name);
  const spiking = () => {
    const th = need('v_threshold');
    const vFire = Array.from(toF32(th), (t) => (ctx.options.firing === 'above' ? nextUpF32(t) : t));
    if (resetRule === 'subtract-threshold-next-step') startsBelow(ctx, vFire, get('v_leak'));
    return { vFire: c('v_fire', vFire), vThreshold: plain('v_threshold', 0), vReset: plain('v_reset', 0) };
  };
  const leakValues = get('v_leak');
  const rest = (b: GraphBuilder, batch: number) =>
    leakValues === undefined ? b.constant(0, [batch, ...shape]) : ctx.constant('v_rest', shape, Array.from(leakValues.data)).broadcastTo([batch, ...shape]);
  const reset = { reset: resetRule };
  const make = (neuron: AnyNeuron, attrs: Record<string, unknown>, params: Record<string, Tensor>, cuba: boolean): SteppedNeuron => ({
    kind: 'neuron',
    neuron,
    attrs,
    params,
    shape,
    initial: (b, batch): Record<string, Tensor> => (cuba ? { i: b.constant(0, [batch, ...shape]), v: rest(b, batch) } : { v: rest(b, batch) }),
  });
  const gain = () => c('g', derived([need('r')], size, (r) => dt * r));
  switch (node.type) {
    case 'I':
      return make(nirIntegrator, {}, { g: gain() }, false);
    case 'IF':
      return make(nirIf, reset, { g: gain(), ...spiking() }, false);
    case 'LI':
      return make(nirLi, { leak: leakRule }, leakParams(), false);
    case 'LIF':
      return make(nirLif, { ...reset, leak: leakRule }, { ...leakParams(), ...spiking() }, false);
    case 'CubaLI':
    case 'CubaLIF': {
      const cuba = { kSyn: k('tau_syn'), wIn: plain('w_in', 1), kMem: k('tau_mem'), r: plain('r', 1), vLeak: plain('v_leak', 0) };
      return node.type === 'CubaLI' ? make(nirCubaLi, {}, cuba, true) : make(nirCubaLif, reset, { ...cuba, ...spiking() }, true);
    }
  }
}
