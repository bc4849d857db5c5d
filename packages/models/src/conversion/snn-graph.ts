import { fail, GraphBuilder, type Graph, type Tensor } from '@spikeflow/core';
import { standardLayers } from '../layers/library.js';
import { layerScope, parseSequential } from '../spec/sequential.js';
import type { ConvertedSnn } from './convert.js';

/**
 * The graph that runs a converted SNN for T steps on a batch of analog inputs x [B, in].
 *
 * - `constant` encoding (the paper's default): x is the input current of every step. The first
 *   linear layer's current is then the same at each step, so it is computed once and broadcast
 *   over time, which gives the same values as the spec run on x repeated T times.
 * - `poisson` encoding: at each step each input fires with probability x (inputs in [0, 1]),
 *   drawn by `bernoulli` keyed by `seed` and the scalar u32 input `draw` (give each batch its own).
 *
 * The outputs, for each t in `readAt` (the counts of a T = t run, as the simulation is causal):
 * - `counts/t`: the output layer's spike counts over steps 1..t [B, C];
 * - `membrane/t`: the output layer's input current summed over steps 1..t [B, C]. For an IF
 *   neuron with reset by subtraction this is V_t + V_th·counts (the membrane had it never been
 *   reset), so it ranks classes as the counts do and breaks their ties by the residual potential.
 */

export type InputEncoding = 'constant' | 'poisson';

export interface SnnGraphOptions {
  readonly steps: number;
  readonly batch: number;
  /** Default `constant`. */
  readonly encoding?: InputEncoding;
  /** Keys the Poisson draws (default 0). */
  readonly seed?: number;
  /** The steps at which the outputs are read (default [steps]); each in 1..steps. */
  readonly readAt?: readonly number[];
}

/** The name of a converted SNN graph's output, e.g. `counts/100`. */
export function snnOutputName(kind: 'counts' | 'membrane', step: number): string {
  return `${kind}/${step}`;
}

/** The name of the Poisson draw counter input. */
export const POISSON_DRAW_INPUT = 'draw';

function prefixSum(x: Tensor, steps: number): Tensor {
  return (steps === x.shape[0] ? x : x.slice([0], [steps])).sum(0);
}

export function convertedSnnGraph(snn: ConvertedSnn, options: SnnGraphOptions): Graph {
  const { steps, batch, encoding = 'constant', seed = 0 } = options;
  const readAt = options.readAt ?? [steps];
  if (!Number.isInteger(steps) || steps < 1) fail('attr', 'steps', 'the number of steps must be a positive integer', '>= 1', String(steps));
  if (!Number.isInteger(batch) || batch < 1) fail('attr', 'batch', 'the batch must be a positive integer', '>= 1', String(batch));
  readAt.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 1 || t > steps) fail('attr', `readAt[${i}]`, 'a read-out step must be an integer in 1..steps', `1 .. ${steps}`, String(t));
  });
  const layers = parseSequential(snn.spec, standardLayers).layers;
  const first = layers[0] as { kind: string; in?: number };
  if (first.kind !== 'linear' || first.in === undefined) fail('spec', 'layers[0].kind', 'a converted SNN starts with a linear layer', 'linear', first.kind);
  const b = new GraphBuilder();
  const x = b.input('x', [batch, first.in]);
  const build = (i: number, input: Tensor) => b.scope(layerScope(layers[i]!.kind, i), () => standardLayers[layers[i]!.kind]!.build(b, input, layers[i]!));
  let h: Tensor;
  if (encoding === 'constant') {
    const current = build(0, x);
    h = current.broadcastTo([steps, ...current.shape]);
  } else {
    const draw = b.input(POISSON_DRAW_INPUT, [], 'u32');
    h = build(0, b.bernoulli(x, [steps, batch, first.in], seed, draw));
  }
  const perLayer: Tensor[] = [h];
  for (let i = 1; i < layers.length; i++) perLayer.push((h = build(i, h)));
  const spikes = perLayer[perLayer.length - 1]!;
  const current = perLayer[perLayer.length - 2]!;
  const outputs: Record<string, Tensor> = {};
  for (const t of readAt) {
    outputs[snnOutputName('counts', t)] = prefixSum(spikes, t);
    outputs[snnOutputName('membrane', t)] = prefixSum(current, t);
  }
  return b.finish(outputs);
}
