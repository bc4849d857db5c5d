import { z } from 'zod';
import { fail } from '@spikeflow/core';
import { checkSpec } from '../spec/validate-spec.js';
import { poissonSpikeEvents, type SpikeEvents } from './spike-events.js';

/**
 * The pooling-reshape-activate (PRA) layer that joins a Spiking Inception module to the next
 * (Meng, Yang, Xiao & Yu 2020): the module's spike counts per branch, a feature map
 * [across, across, features], are pooled over `window`×`window` positions (windows every `window`
 * positions; a last, partial window keeps what is left), the pooled maps of all branches are
 * concatenated and laid out as a square map (row-major, zero-padded), and the map is re-encoded as
 * Poisson spikes with intensity count / max count, so the next module sees a rate code like a digit.
 */

/** One branch's output: counts [across, across, features] flat in (y, x, f) order. */
export interface FeatureMapLayout {
  readonly across: number;
  readonly features: number;
}

export const POOLING_MODES = ['max', 'sum'] as const;

export const poolingSchema = z.strictObject({
  /** Positions pooled per side; 1 keeps every position (reshape and activate only). */
  window: z.number().int().positive().default(2),
  mode: z.enum(POOLING_MODES).default('max'),
});

export type Pooling = Readonly<z.output<typeof poolingSchema>>;

export function pooling(options: Partial<Pooling> = {}): Pooling {
  return checkSpec(poolingSchema, options, 'pooling');
}

/** Positions per side of a branch's pooled map. */
const pooledAcross = (layout: FeatureMapLayout, p: Pooling) => Math.ceil(layout.across / p.window);

/** The side of the square map the PRA layer makes of `layouts`, and how many of its entries carry counts. */
export function praShape(layouts: readonly FeatureMapLayout[], p: Pooling): { side: number; values: number } {
  const values = layouts.reduce((n, l) => n + pooledAcross(l, p) ** 2 * l.features, 0);
  return { side: Math.ceil(Math.sqrt(values)), values };
}

/**
 * Pool and reshape: `counts` (the branches' maps one after another, as `layouts` lists them) to the
 * square map [side, side] flat, each branch's pooled map in (y, x, f) order, then zeros.
 */
export function poolReshape(counts: ArrayLike<number>, layouts: readonly FeatureMapLayout[], p: Pooling): { map: Float32Array; side: number } {
  const expected = layouts.reduce((n, l) => n + l.across * l.across * l.features, 0);
  if (counts.length !== expected) fail('shape', 'poolReshape', 'one count per neuron of the layouts', `${expected}`, `${counts.length}`);
  const { side } = praShape(layouts, p);
  const map = new Float32Array(side * side);
  let from = 0;
  let to = 0;
  for (const { across, features } of layouts) {
    const pooled = pooledAcross({ across, features }, p);
    for (let py = 0; py < pooled; py++) {
      for (let px = 0; px < pooled; px++) {
        for (let f = 0; f < features; f++) {
          let value = p.mode === 'max' ? -Infinity : 0;
          for (let y = py * p.window; y < Math.min((py + 1) * p.window, across); y++) {
            for (let x = px * p.window; x < Math.min((px + 1) * p.window, across); x++) {
              const c = counts[from + (y * across + x) * features + f]!;
              value = p.mode === 'max' ? Math.max(value, c) : value + c;
            }
          }
          map[to++] = value;
        }
      }
    }
    from += across * across * features;
  }
  return { map, side };
}

/**
 * Activate: the map as Poisson spike events, entry i firing at map_i / max(map) · maxRate Hz (no
 * spikes where nothing fired). `seed` is a mulberry32 state; the state after the draw is returned.
 */
export function activate(map: ArrayLike<number>, steps: number, options: { readonly maxRate: number; readonly dt: number; readonly seed: number }): { events: SpikeEvents; seed: number } {
  let max = 0;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (!(v >= 0)) fail('attr', 'activate', 'counts are non-negative numbers', '≥ 0', String(v));
    max = Math.max(max, v);
  }
  const intensities = Float32Array.from(map, (v) => (max > 0 ? v / max : 0));
  return poissonSpikeEvents(intensities, steps, options);
}
