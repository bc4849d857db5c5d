import { fail, type GraphBuilder, type Tensor } from '@spikeflow/core';
import type { NirDelay } from '../nir-graph.js';
import { expectFinite } from './arrays.js';
import type { NodeContext } from './node-context.js';

/** A Delay node as whole steps per element: y(t) = x(t − d), zero before the input begins. */
export interface DelayNode {
  readonly kind: 'delay';
  /** Delay in steps of each element of the per-sample shape (one entry when uniform). */
  readonly steps: readonly number[];
  shift(b: GraphBuilder, x: Tensor): Tensor;
}

/** Relative tolerance for delay/dt being an integer (the file stores both in floating point). */
const INTEGER_TOLERANCE = 1e-6;

export function delayNode(ctx: NodeContext, node: NirDelay): DelayNode {
  expectFinite(node.delay, `${ctx.name}.delay`);
  const { dt } = ctx.options;
  const steps = Array.from(node.delay.data, (d, i) => {
    const q = d / dt;
    const n = Math.round(q);
    if (d < 0 || Math.abs(q - n) > INTEGER_TOLERANCE * Math.max(1, Math.abs(q))) {
      fail('attr', `${ctx.name}.delay`, `a delay must be a non-negative whole number of steps of dt = ${dt}; element ${i} is ${d} = ${q} steps`, 'a multiple of dt', String(d));
    }
    return n;
  });
  const uniform = steps.every((s) => s === steps[0]);
  /** x `[T, B, ...]` moved `d` steps later along time. */
  const shifted = (b: GraphBuilder, x: Tensor, d: number): Tensor => {
    const [T, ...rest] = x.shape as [number, ...number[]];
    if (d === 0) return x;
    if (d >= T) return b.constant(0, x.shape);
    return b.concat([b.constant(0, [d, ...rest]), x.slice([0, ...rest.map(() => 0)], [T - d, ...rest])], 0);
  };
  return {
    kind: 'delay',
    steps: uniform ? [steps[0]!] : steps,
    shift: (b, x) => {
      if (uniform) return shifted(b, x, steps[0]!);
      // Per-element delays: each distinct delay shifts the whole input once, masked to its elements.
      const sample = x.shape.slice(2);
      let y: Tensor | undefined;
      for (const d of [...new Set(steps)]) {
        const mask = b.constant(steps.map((s) => (s === d ? 1 : 0)), sample);
        const part = shifted(b, x, d).mul(mask);
        y = y === undefined ? part : y.add(part);
      }
      return y!;
    },
  };
}
