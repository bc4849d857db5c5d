import { grad } from '@spikeflow/autodiff';
import { GraphBuilder, tensor, type Graph, type HostTensor, type Tensor } from '@spikeflow/core';
import type { FeedSpec } from './context.js';
import { generateInto } from './generator.js';
import { Rng } from './rng.js';

/**
 * Several random graphs traced side by side into one graph, so one compile and one run check them
 * all. They share no node, so each computes what it computes alone; the gradient graphs' losses
 * are summed into one `loss`, whose gradient with respect to a graph's inputs is that graph's own.
 */
export interface Pack {
  readonly seeds: readonly number[];
  readonly graph: Graph;
  readonly feeds: Readonly<Record<string, HostTensor>>;
}

/** Name of the summed loss of a pack's gradient graphs (not compared: each term is an output of its own). */
export const PACK_LOSS = 'loss';

/** The graph seed an output belongs to (`g<seed>/...` or `grad/g<seed>/...`), or undefined for the pack's loss. */
export function seedOfOutput(name: string): number | undefined {
  const match = /^(?:grad\/)?g(\d+)\//.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Input values on a grid of `step` (exact in f32), from a stream of the graph's own seed. */
function feedsOf(seed: number, specs: readonly FeedSpec[]): Record<string, HostTensor> {
  const rng = new Rng(seed, 1);
  const feeds: Record<string, HostTensor> = {};
  for (const s of specs) {
    const levels = Math.round((s.hi - s.lo) / s.step);
    const size = s.shape.reduce((p, d) => p * d, 1);
    feeds[s.name] = tensor(s.shape, Array.from({ length: size }, () => s.lo + s.step * rng.int(0, levels)), s.dtype);
  }
  return feeds;
}

export function buildPack(seeds: readonly number[]): Pack {
  const b = new GraphBuilder();
  const outputs: Record<string, Tensor> = {};
  const losses: Tensor[] = [];
  const wrt: string[] = [];
  let feeds: Record<string, HostTensor> = {};
  for (const seed of seeds) {
    const generated = generateInto(b, seed);
    Object.assign(outputs, generated.outputs);
    feeds = { ...feeds, ...feedsOf(seed, generated.feeds) };
    if (generated.loss) {
      losses.push(generated.loss);
      wrt.push(...generated.wrt);
    }
  }
  if (losses.length === 0) return { seeds, graph: b.finish(outputs), feeds };
  const forward = b.finish({ ...outputs, [PACK_LOSS]: losses.reduce((s, t) => s.add(t)) });
  return { seeds, graph: grad(forward, { of: PACK_LOSS, wrt }), feeds };
}
