import { fail, formatShape, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { checkPositive } from './check.js';

export interface DeltaOptions {
  /** θ > 0: the step of the emitted level. */
  readonly threshold: number;
  /** The emitted level before step 0 (default 0). */
  readonly initial?: number;
}

function resolve(o: DeltaOptions): { threshold: number; initial: number } {
  checkPositive('delta.threshold', o.threshold);
  const initial = o.initial ?? 0;
  if (!Number.isFinite(initial)) fail('attr', 'delta.initial', 'the initial level must be finite', 'a finite number', String(initial));
  return { threshold: o.threshold, initial };
}

/** [B, ...F] → [B, 1, ...F]: room for the ON/OFF channel axis. */
const channel = (t: Tensor): Tensor => t.reshape([t.shape[0]!, 1, ...t.shape.slice(1)]);

/**
 * Delta (threshold-crossing) coding of a time-major signal x [T, B, ...F] into ON/OFF spikes
 * [T, B, 2, ...F] (channel 0 ON, 1 OFF), compared with the last emitted level L (from `initial`):
 * ON when x_t − L ≥ θ (then L += θ), OFF when L − x_t ≥ θ (then L −= θ); at most one spike per
 * element and step, as a DVS pixel's refractory period allows.
 */
export function deltaEncode(b: GraphBuilder, x: Tensor, options: DeltaOptions): Tensor {
  const { threshold, initial } = resolve(options);
  if (x.rank < 2) fail('shape', b.path(), 'delta coding takes a time-major signal', '[T, B, ...]', formatShape(x.shape));
  const level0 = b.constant(initial).broadcastTo(x.shape.slice(1));
  const { outputs } = b.scan({
    carries: [level0],
    sequences: [x],
    body: (body, [level], [xt]) => {
      const diff = xt!.sub(level!);
      const on = diff.greaterEqual(threshold).cast('f32');
      const off = diff.lessEqual(-threshold).cast('f32');
      return { carries: [level!.add(on.sub(off).mul(threshold))], outputs: [body.concat([channel(on), channel(off)], 1)] };
    },
  });
  return outputs[0]!;
}

/**
 * The inverse of `deltaEncode`: the emitted level after each step, initial + θ·Σ(ON − OFF), as
 * [T, B, ...F]. If |x_0 − initial| < 2θ and x changes by at most θ per step, |x_t − x̃_t| < θ.
 */
export function deltaDecode(b: GraphBuilder, spikes: Tensor, options: DeltaOptions): Tensor {
  const { threshold, initial } = resolve(options);
  if (spikes.rank < 3 || spikes.shape[2] !== 2) fail('shape', b.path(), 'delta spikes are [T, B, 2, ...] (ON, OFF)', '[T, B, 2, ...]', formatShape(spikes.shape));
  const [t, batch, , ...features] = spikes.shape;
  const net = spikes.slice([0, 0, 0], [t, batch, 1]).sub(spikes.slice([0, 0, 1], [t, batch, 2])).reshape([t!, batch!, ...features]);
  const { outputs } = b.scan({
    carries: [b.constant(initial).broadcastTo([batch!, ...features])],
    sequences: [net],
    body: (_, [level], [step]) => {
      const next = level!.add(step!.mul(threshold));
      return { carries: [next], outputs: [next] };
    },
  });
  return outputs[0]!;
}
