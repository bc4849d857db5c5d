import {
  evaluate,
  nodeAs,
  sizeOf,
  toArray,
  trace,
  type Feeds,
  type Graph,
  type GraphBuilder,
  type ScanOptions,
  type ScanResult,
  type SurrogateName,
  type Tensor,
} from '@spikeflow/core';
import { expect } from 'vitest';
import { grad, type GradOptions } from '../../src/index.js';
import { testRandom } from '../../../../test/support/test-data.js';

/**
 * Scan workloads for the BPTT tests, each traceable two ways from one step function: as a
 * `scan`, or explicitly unrolled (T copies of the body, no scan), which is the independent truth
 * the scan gradient is checked against.
 */

export type Mode = 'scan' | 'unrolled';

/** `b.scan`, or the same body applied step by step with its outputs stacked by concat. */
export function loop(b: GraphBuilder, mode: Mode, options: ScanOptions & { readonly length: number }): ScanResult {
  if (mode === 'scan') return b.scan(options);
  const { length, reverse = false, sequences = [], consts = [] } = options;
  let carries = [...options.carries];
  const perStep: Tensor[][] = [];
  for (let step = 0; step < length; step++) {
    const t = reverse ? length - 1 - step : step;
    const slices = sequences.map((s) => s.slice([t], [t + 1]).reshape(s.shape.slice(1)));
    const r = options.body(b, carries, slices, [...consts]);
    carries = [...r.carries];
    perStep[t] = [...(r.outputs ?? [])];
  }
  const outputs = perStep[0]!.map((_, j) => b.concat(perStep.map((ys) => ys[j]!.reshape([1, ...ys[j]!.shape])), 0));
  return { carries, outputs };
}

/** sum_i sum(y_i * r_i) for fixed random r_i, so every element of every term gets its own cotangent. */
export function weightedSum(b: GraphBuilder, ys: readonly Tensor[], seed: number): Tensor {
  const rand = testRandom(seed);
  return ys
    .map((y) => y.mul(b.constant(Array.from({ length: sizeOf(y.shape) }, () => rand() * 2 - 1), y.shape)))
    .map((t) => t.sum())
    .reduce((a, t) => a.add(t));
}

// --- step functions ----------------------------------------------------------------------------

export interface LifOptions {
  readonly reset: 'hard' | 'soft';
  readonly detachReset: boolean;
  readonly surrogate?: SurrogateName;
}

/** SpikingJelly's LIF (tau = 2, V_th = 1, V_reset = 0): H = V + (X - V)/tau, S = spike(H - 1), then the reset. */
export function lifStep(v: Tensor, x: Tensor, options: LifOptions): { v: Tensor; s: Tensor } {
  const h = v.add(x.sub(v).div(2));
  const s = h.sub(1).spike(options.surrogate ?? 'atan');
  const sr = options.detachReset ? s.stopGradient() : s;
  return { v: options.reset === 'hard' ? h.mul(sr.neg().add(1)) : h.sub(sr), s };
}

// --- cases -------------------------------------------------------------------------------------

export interface ScanCase {
  readonly name: string;
  /** The forward graph; its output `loss` is differentiated. */
  readonly build: (mode: Mode) => Graph;
  readonly wrt: readonly string[];
  /** Range of the random values of each input and param, by name (default [-1, 1]). */
  readonly ranges?: Readonly<Record<string, readonly [number, number]>>;
}

const B = 2;

/** An LIF layer: I_t = x_t @ W drives a membrane that starts at the param v0. */
export function lifCase(T: number, options: LifOptions): ScanCase {
  return {
    name: `LIF (${options.reset} reset${options.detachReset ? ', detachReset' : ''}), T = ${T}`,
    wrt: ['w', 'v0', 'x'],
    ranges: { x: [0, 1.5], w: [-0.5, 1.5], v0: [0, 1] },
    build: (mode) =>
      trace((b) => {
        const x = b.input('x', [T, B, 3]);
        const w = b.param('w', [3, 4], { kind: 'zeros' });
        const v0 = b.param('v0', [B, 4], { kind: 'zeros' });
        const { carries, outputs } = loop(b, mode, {
          length: T,
          carries: [v0],
          sequences: [x],
          consts: [w],
          body: (_, [v], [xt], [wc]) => {
            const step = lifStep(v!, xt!.matmul(wc!), options);
            return { carries: [step.v], outputs: [step.s, step.v] };
          },
        });
        return { loss: weightedSum(b, [...outputs, carries[0]!], 7), rate: outputs[0]!.mean() };
      }),
  };
}

function rnnStep(h: Tensor, x: Tensor, w: Tensor, u: Tensor): Tensor {
  return h.matmul(w).add(x.matmul(u)).tanh();
}

/** h' = tanh(h @ W + x_t @ U), optionally run backwards in time. */
export function recurrentCase(T: number, reverse = false): ScanCase {
  return {
    name: `recurrent tanh(h @ W + x @ U)${reverse ? ', reverse' : ''}, T = ${T}`,
    wrt: ['w', 'u', 'h0', 'x'],
    ranges: { w: [-0.8, 0.8] },
    build: (mode) =>
      trace((b) => {
        const x = b.input('x', [T, B, 2]);
        const w = b.param('w', [3, 3], { kind: 'zeros' });
        const u = b.param('u', [2, 3], { kind: 'zeros' });
        const h0 = b.param('h0', [B, 3], { kind: 'zeros' });
        const { carries, outputs } = loop(b, mode, {
          length: T,
          reverse,
          carries: [h0],
          sequences: [x],
          consts: [w, u],
          body: (_, [h], [xt], [wc, uc]) => {
            const next = rnnStep(h!, xt!, wc!, uc!);
            return { carries: [next], outputs: [next] };
          },
        });
        return { loss: weightedSum(b, [outputs[0]!, carries[0]!], 11) };
      }),
  };
}

/**
 * Two coupled carries, adaptive-LIF style (LSNN): z = spike(v - (0.5 + 1.8 a)) with the triangle
 * surrogate, v' = 0.9 v + x_t * w_in - 0.5 z, a' = 0.95 a + 0.05 z. An integer step counter
 * rides along as a third carry and scales the input, so its saved values must reach the
 * recomputation though it gets no cotangent.
 */
export function twoCarryCase(T: number): ScanCase {
  return {
    name: `two float carries (v, a) and an i32 counter, T = ${T}`,
    wrt: ['wIn', 'v0', 'a0', 'x'],
    ranges: { x: [0, 1], wIn: [0.5, 1.5], a0: [0, 0.2] },
    build: (mode) =>
      trace((b) => {
        const x = b.input('x', [T, B, 3]);
        const wIn = b.param('wIn', [3], { kind: 'zeros' });
        const v0 = b.param('v0', [B, 3], { kind: 'zeros' });
        const a0 = b.param('a0', [B, 3], { kind: 'zeros' });
        const { carries, outputs } = loop(b, mode, {
          length: T,
          carries: [v0, a0, b.constant(0, [], 'i32')],
          sequences: [x],
          consts: [wIn],
          body: (_, [v, a, n], [xt], [w]) => {
            const gain = n!.cast('f32').mul(0.02).add(1);
            const z = v!.sub(a!.mul(1.8).add(0.5)).spike('triangle');
            const vNext = v!.mul(0.9).add(xt!.mul(w!).mul(gain)).sub(z.mul(0.5));
            const aNext = a!.mul(0.95).add(z.mul(0.05));
            return { carries: [vNext, aNext, n!.add(1)], outputs: [z] };
          },
        });
        return { loss: weightedSum(b, [outputs[0]!, carries[0]!, carries[1]!], 13), rate: outputs[0]!.mean() };
      }),
  };
}

/** A scan whose body runs an inner scan over a sub-sequence; W is captured by both bodies. */
export function nestedCase(outerT: number, innerT: number): ScanCase {
  return {
    name: `nested scan (${outerT} x ${innerT} steps)`,
    wrt: ['w', 'u', 'h0', 'x'],
    ranges: { w: [-0.8, 0.8] },
    build: (mode) =>
      trace((b) => {
        const x = b.input('x', [outerT, innerT, B, 2]);
        const w = b.param('w', [3, 3], { kind: 'zeros' });
        const u = b.param('u', [2, 3], { kind: 'zeros' });
        const h0 = b.param('h0', [B, 3], { kind: 'zeros' });
        const { carries, outputs } = loop(b, mode, {
          length: outerT,
          carries: [h0],
          sequences: [x],
          consts: [u],
          body: (ob, [h], [xs], [uc]) => {
            const inner = loop(ob, mode, {
              length: innerT,
              carries: [h!],
              sequences: [xs!],
              consts: [uc!],
              body: (_, [hi], [xt], [ui]) => {
                const next = rnnStep(hi!, xt!, w, ui!);
                return { carries: [next], outputs: [next] };
              },
            });
            return { carries: [inner.carries[0]!.mul(0.9)], outputs: [inner.outputs[0]!.sum(0)] };
          },
        });
        return { loss: weightedSum(b, [outputs[0]!, carries[0]!], 17) };
      }),
  };
}

/** The body uses the outer params W and b directly, so the scan captures them as extra consts. */
export function captureCase(T: number): ScanCase {
  return {
    name: `body capturing outer params, T = ${T}`,
    wrt: ['w', 'bias', 'x'],
    ranges: { w: [-0.8, 0.8] },
    build: (mode) =>
      trace((b) => {
        const x = b.input('x', [T, B, 3]);
        const w = b.param('w', [3, 3], { kind: 'zeros' });
        const bias = b.param('bias', [3], { kind: 'zeros' });
        const { outputs } = loop(b, mode, {
          length: T,
          carries: [b.constant(0, [B, 3])],
          sequences: [x],
          body: (_, [h], [xt]) => {
            const next = h!.matmul(w).add(xt!).add(bias).tanh();
            return { carries: [next], outputs: [next.mul(next)] };
          },
        });
        return { loss: weightedSum(b, [outputs[0]!], 19) };
      }),
  };
}

// --- running -----------------------------------------------------------------------------------

/** Random f64 feeds for every input and param of `graph`. */
export function randomFeeds(graph: Graph, ranges: Readonly<Record<string, readonly [number, number]>> = {}, seed = 3): Feeds {
  const rand = testRandom(seed);
  const values = (ids: readonly string[], op: 'input' | 'param') =>
    Object.fromEntries(
      ids.map((id) => {
        const { name, shape } = nodeAs(graph, id, op).attrs;
        const [lo, hi] = ranges[name] ?? [-1, 1];
        return [name, Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * rand())];
      }),
    );
  return { inputs: values(graph.inputs, 'input'), params: values(graph.params, 'param') };
}

/** Every output of `graph` evaluated in f64, as plain arrays. */
export function run(graph: Graph, feeds: Feeds): Record<string, number[]> {
  const { outputs } = evaluate(graph, feeds, { precision: 'f64' });
  return Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, toArray(t)]));
}

/** The gradient graph of a case's scan form, evaluated on the case's feeds. */
export function gradOf(c: ScanCase, options: Partial<GradOptions> = {}): { graph: Graph; values: Record<string, number[]> } {
  const forward = c.build('scan');
  const graph = grad(forward, { of: 'loss', wrt: c.wrt, ...options });
  return { graph, values: run(graph, randomFeeds(forward, c.ranges)) };
}

/** max over elements of |a - b| / max(1, |a|, |b|). */
export function maxRelDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!) / Math.max(1, Math.abs(x), Math.abs(b[i]!))), 0);
}

/** Asserts two runs agree on every output within `tol`; returns the largest difference seen. */
export function expectSameValues(found: Record<string, number[]>, expected: Record<string, number[]>, tol: number): number {
  expect(Object.keys(found).sort()).toEqual(Object.keys(expected).sort());
  let worst = 0;
  for (const [name, values] of Object.entries(expected)) {
    const d = maxRelDiff(found[name]!, values);
    expect(d, `output '${name}'`).toBeLessThanOrEqual(tol);
    worst = Math.max(worst, d);
  }
  return worst;
}
