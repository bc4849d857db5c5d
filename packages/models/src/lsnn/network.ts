import { z } from 'zod';
import { fail, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { alifNeuron, leakyIntegratorNeuron, type StateTensors } from '../neurons/index.js';
import { deepRWeight, type DeepRParam } from './deep-r-weight.js';
import { offDiagonalMask } from '../layers/self-connections.js';

/**
 * An LSNN (Bellec et al. 2018): one recurrent layer of n_LIF LIF neurons (β = 0) followed by n_ALIF
 * adaptive ones (β > 0), each the ALIF neuron of ../neurons (its equations and step order), driven
 * by I_t = x_t W_in + z_{t-1} W_rec where W_rec has no self-connections; and a non-spiking readout
 * y_t = κ y_{t-1} + (1 - κ) z_t W_out (+ b), κ = exp(-dt/τ_out), as the reference code's
 * exp_convolve. Times are in ms, as in the paper; dt is the step.
 */
export interface LsnnConfig {
  readonly inputs: number;
  readonly nLif: number;
  readonly nAlif: number;
  readonly outputs: number;
  readonly dt: number;
  /** Membrane time constant τ_m. */
  readonly tauM: number;
  /** Adaptation time constant τ_a of the ALIF neurons. */
  readonly tauA: number;
  /** Threshold adaptation strength of the ALIF neurons. */
  readonly beta: number;
  /** Baseline threshold. */
  readonly b0: number;
  /** Refractory period: two spikes of a neuron are at least round(refractory/dt) steps apart (the reference code's count). */
  readonly refractory: number;
  /** Time constant τ_out of the readout's leak. */
  readonly tauOut: number;
  readonly readoutBias: boolean;
  /** The dampening γ of the LSNN pseudo-derivative γ·max(0, 1 - |x|) (the triangle surrogate). */
  readonly gamma: number;
  /** Weights start at N(0, (scale/√fan-in)²), as in the reference code. */
  readonly inputScale: number;
  readonly recurrentScale: number;
  readonly outputScale: number;
  /** DEEP R on W_rec (and on W_in when `inputConnectivity` is set); absent: dense weights. */
  readonly deepR?: { readonly connectivity: number; readonly inputConnectivity?: number };
  /** Seed of DEEP R's initial connections and signs (W_rec: seed, W_in: seed + 1); dense weights use the graph's init seed. */
  readonly seed: number;
  /** Also output v, a and the refractory count per step (for inspection; costs memory). */
  readonly record: boolean;
  /** The scope the network's nodes and params are named under. */
  readonly scope: string;
}

export type LsnnOptions = Pick<LsnnConfig, 'inputs' | 'nLif' | 'nAlif' | 'outputs'> & Partial<LsnnConfig>;

const count = z.number().int().nonnegative();
const fraction = z.number().min(0).max(1);
const schema = z
  .object({
    inputs: count.positive(),
    nLif: count,
    nAlif: count,
    outputs: count.positive(),
    dt: z.number().positive().default(1),
    tauM: z.number().positive().default(20),
    tauA: z.number().positive().default(700),
    beta: z.number().nonnegative().default(1.8),
    b0: z.number().positive().default(0.01),
    refractory: z.number().nonnegative().default(5),
    tauOut: z.number().positive().default(20),
    readoutBias: z.boolean().default(true),
    gamma: z.number().positive().default(0.3),
    inputScale: z.number().positive().default(1),
    recurrentScale: z.number().positive().default(1),
    outputScale: z.number().positive().default(1),
    deepR: z.object({ connectivity: fraction, inputConnectivity: fraction.optional() }).optional(),
    seed: count.default(0),
    record: z.boolean().default(false),
    scope: z.string().min(1).regex(/^[^/]+$/, 'a scope name has no "/"').default('lsnn'),
  })
  .refine((o) => o.nLif + o.nAlif > 0, { message: 'the network needs at least one neuron', path: ['nLif'] });

/** Validates options and fills the defaults (those of the reference sMNIST setup). */
export function lsnnConfig(options: LsnnOptions): LsnnConfig {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail('spec', `lsnn.${issue.path.join('.')}`, issue.message, undefined, JSON.stringify(options[issue.path[0] as keyof LsnnOptions]));
  }
  return parsed.data as LsnnConfig;
}

/** The traced network; every tensor is time-major. */
export interface LsnnPieces {
  readonly config: LsnnConfig;
  /** [T, B, N] spikes, LIF neurons first, then ALIF. */
  readonly spikes: Tensor;
  /** [T, B, outputs] readout. */
  readonly readout: Tensor;
  /** The effective weights (after the self-connection mask and DEEP R's s ⊙ relu(θ)). */
  readonly weights: { readonly input: Tensor; readonly recurrent: Tensor; readonly output: Tensor };
  /** The DEEP R weights, for `DeepRewiring`. */
  readonly deepR: readonly DeepRParam[];
  /** The recurrent layer's state after the last step, by the names of `LsnnInitialState`. */
  readonly finalState: Readonly<Record<string, Tensor>>;
  /** [T, B, N] each, after every step; only with `record`. */
  readonly recorded?: { readonly voltage: Tensor; readonly adaptation: Tensor; readonly refractory: Tensor };
}

/**
 * Where the recurrent layer starts: called once per state variable, named `<population>.<v|a|z|r>`
 * with population `lif` or `alif`, with its t = 0 constant [B, size]; returns the tensor to start
 * from instead (e.g. a `b.state` that carries the layer across calls, read back from `finalState`).
 */
export type LsnnInitialState = (name: string, initial: Tensor) => Tensor;

/** A trace-able network: call it inside `trace` on an input [T, B, inputs]. */
export type LsnnNetwork = (b: GraphBuilder, x: Tensor, initialState?: LsnnInitialState) => LsnnPieces;

/** A dense weight N(0, (scale/√fan-in)²), or a DEEP R one of the same spread when `connectivity` is set. */
function weight(b: GraphBuilder, shape: readonly [number, number], scale: number, deepR: DeepRParam[], connectivity: number | undefined, seed: number, eligible?: number[]): Tensor {
  const std = scale / Math.sqrt(shape[0]);
  if (connectivity === undefined) return b.param('w', shape, { kind: 'normal', mean: 0, std });
  // Sparse: a larger spread per active connection keeps the input variance of the dense network.
  const sparse = deepRWeight(b, 'theta', shape, { connectivity, scale: std / Math.sqrt(Math.max(connectivity, 1e-6)), seed, eligible });
  deepR.push(sparse.param);
  return sparse.weight;
}

const ALIF_STATE = ['v', 'a', 'z', 'r'] as const;
type AlifState = StateTensors<(typeof ALIF_STATE)[number]>;

/** One population of the recurrent layer: `size` neurons from `offset`, all of one β. */
interface Population {
  readonly name: 'lif' | 'alif';
  readonly offset: number;
  readonly size: number;
  readonly beta: number;
}

/** Joins the populations' values of one state variable into the layer's [B, N]. */
function joined(b: GraphBuilder, states: readonly AlifState[], key: (typeof ALIF_STATE)[number]): Tensor {
  return states.length === 1 ? states[0]![key] : b.concat(states.map((s) => s[key]), -1);
}

export function lsnn(options: LsnnOptions): LsnnNetwork {
  const config = lsnnConfig(options);
  const { inputs, nLif, nAlif, outputs, dt } = config;
  const n = nLif + nAlif;
  // The ALIF neuron takes one β per call: the layer steps its LIF (β = 0) and ALIF populations
  // apart, on their slices of one current, and joins them again (one recurrent matrix, one scan).
  const populations = ([
    { name: 'lif', offset: 0, size: nLif, beta: 0 },
    { name: 'alif', offset: nLif, size: nAlif, beta: config.beta },
  ] satisfies Population[]).filter((p) => p.size > 0);
  const attrs = { dt, tauM: config.tauM, tauA: config.tauA, b0: config.b0, nRef: Math.round(config.refractory / dt), gamma: config.gamma };
  return (b, x, initialState) => {
    if (x.rank !== 3 || x.shape[2] !== inputs) fail('shape', b.path(), 'the LSNN takes a time-major input [T, B, inputs]', `[T, B, ${inputs}]`, `[${x.shape.join(', ')}]`);
    const batch = x.shape[1]!;
    return b.scope(config.scope, () => {
      const deepR: DeepRParam[] = [];
      const { wIn, drive } = b.scope('input', () => {
        const w = weight(b, [inputs, n], config.inputScale, deepR, config.deepR?.inputConnectivity, config.seed + 1);
        // One matmul over all steps, outside the recurrence.
        return { wIn: w, drive: x.matmul(w) };
      });
      const { wRec, traced, finalState } = b.scope('rec', () => {
        const mask = offDiagonalMask(n);
        const w = weight(b, [n, n], config.recurrentScale, deepR, config.deepR?.connectivity, config.seed, mask).mul(b.constant(mask, [n, n]));
        const initial = populations.flatMap((p) => {
          const s = alifNeuron.initialState(b, [batch, p.size], attrs);
          return ALIF_STATE.map((k) => (initialState ? initialState(`${p.name}.${k}`, s[k]) : s[k]));
        });
        const { outputs: steps, carries: last } = b.scan({
          carries: initial,
          sequences: [drive],
          consts: [w],
          body: (bb, carried, [dIn], [wr]) => {
            const states = populations.map((_, i) => Object.fromEntries(ALIF_STATE.map((k, j) => [k, carried[4 * i + j]!])) as AlifState);
            // I_t = x_t W_in + z_t W_rec, from the spikes of the previous step.
            const current = dIn!.add(joined(bb, states, 'z').matmul(wr!));
            const next = populations.map((p, i) => {
              const own = populations.length === 1 ? current : current.slice([0, p.offset], [batch, p.offset + p.size]);
              return alifNeuron.step(bb, states[i]!, own, { attrs: { ...attrs, beta: p.beta } }).state as AlifState;
            });
            const recorded = config.record ? (['v', 'a', 'r'] as const).map((k) => joined(bb, next, k)) : [];
            return { carries: next.flatMap((s) => ALIF_STATE.map((k) => s[k])), outputs: [joined(bb, next, 'z'), ...recorded] };
          },
        });
        const finalState = Object.fromEntries(populations.flatMap((p, i) => ALIF_STATE.map((k, j) => [`${p.name}.${k}`, last[4 * i + j]!] as const)));
        return { wRec: w, traced: steps, finalState };
      });
      const spikes = traced[0]!;
      const { wOut, readout } = b.scope('out', () => {
        const w = b.param('w', [n, outputs], { kind: 'normal', mean: 0, std: config.outputScale / Math.sqrt(n) });
        const filtered = leakyIntegratorNeuron.apply(b, spikes.matmul(w), { dt, tau: config.tauOut });
        return { wOut: w, readout: config.readoutBias ? filtered.add(b.param('b', [outputs], { kind: 'zeros' })) : filtered };
      });
      const recorded = config.record ? { voltage: traced[1]!, adaptation: traced[2]!, refractory: traced[3]! } : undefined;
      return { config, spikes, readout, weights: { input: wIn, recurrent: wRec, output: wOut }, deepR, finalState, ...(recorded ? { recorded } : {}) };
    });
  };
}
