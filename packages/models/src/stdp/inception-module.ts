import { z } from 'zod';
import { fail } from '@spikeflow/core';
import { checkSpec } from '../spec/validate-spec.js';
import { diehlCookSchema, type DiehlCookMode, type DiehlCookOptions } from './diehl-cook.js';
import { EventDrivenDiehlCook } from './event-driven.js';
import type { FeatureMapLayout } from './pooling-reshape-activate.js';
import { patchGrid, PatchRouter, type PatchGrid } from './receptive-field.js';
import type { SpikeEvents } from './spike-events.js';

/**
 * A Spiking Inception module (Meng, Yang, Xiao & Yu 2020; their code's layout): parallel branches,
 * each with its own receptive-field size. A branch lays `kernel`×`kernel` patches over the input map
 * every `stride` pixels; at every patch position sits a group of `neurons` excitatory neurons that
 * see only that patch and compete only among themselves, a Diehl & Cook network of its own
 * (lateral inhibition, adaptive thresholds θ, triplet STDP, weight normalisation): locally
 * connected, no weight sharing. All groups see the same input spikes in the same presentation,
 * each through its patch; the module's output is every neuron's spike count.
 */
export const inceptionBranchSchema = z.strictObject({
  kernel: z.number().int().positive(),
  stride: z.number().int().positive().default(1),
  /** Neurons per patch position (one competition group). */
  neurons: z.number().int().positive(),
  /** θ_plus of this branch's groups, where it differs from the module's network. */
  thetaPlus: z.number().gte(0).finite().optional(),
});

export const spikingInceptionSchema = z.strictObject({
  /** The input map: [side, side, channels], flat in (y, x, c) order. */
  side: z.number().int().positive().default(28),
  channels: z.number().int().positive().default(1),
  branches: z.array(inceptionBranchSchema).min(1),
  /** Every group's dynamics and STDP (a Diehl & Cook network without its sizes). */
  network: diehlCookSchema.omit({ inputs: true, neurons: true, weightTotal: true }).prefault({}),
  /** A neuron's input weights are held at this sum per input of its patch (Diehl & Cook: 78 / 784); null: no normalisation. */
  weightPerInput: z.number().gt(0).finite().nullable().default(0.1),
});

export type SpikingInceptionOptions = Readonly<z.output<typeof spikingInceptionSchema>>;
export type SpikingInceptionInput = z.input<typeof spikingInceptionSchema>;

export function spikingInception(options: SpikingInceptionInput): SpikingInceptionOptions {
  const o = checkSpec(spikingInceptionSchema, options, 'spikingInception');
  o.branches.forEach((b, i) => {
    if (b.kernel > o.side) fail('spec', `spikingInception.branches[${i}].kernel`, 'the kernel must fit the input map', `≤ ${o.side}`, String(b.kernel));
  });
  return o;
}

interface Branch {
  readonly grid: PatchGrid;
  readonly router: PatchRouter;
  readonly network: DiehlCookOptions;
  /** One network per patch position, row-major over the grid. */
  readonly groups: readonly EventDrivenDiehlCook[];
}

export class SpikingInceptionModule {
  readonly options: SpikingInceptionOptions;
  /** Excitatory neurons over all branches and positions. */
  readonly neurons: number;
  /** Input map entries: side²·channels. */
  readonly inputs: number;
  private readonly branches: readonly Branch[];

  /** Every group's W uniform in [0, wInit) from its own mulberry32 stream (derived from `seed`), θ = 0. */
  constructor(options: SpikingInceptionOptions, seed: number) {
    this.options = options;
    this.inputs = options.side * options.side * options.channels;
    let group = 0;
    this.branches = options.branches.map((b) => {
      const grid = patchGrid(options.side, b.kernel, b.stride, options.channels);
      const network: DiehlCookOptions = {
        ...options.network,
        inputs: grid.patchInputs,
        neurons: b.neurons,
        weightTotal: options.weightPerInput === null ? null : options.weightPerInput * grid.patchInputs,
        thetaPlus: b.thetaPlus ?? options.network.thetaPlus,
      };
      const groups = Array.from({ length: grid.across * grid.across }, () => new EventDrivenDiehlCook(network, EventDrivenDiehlCook.initialState(network, (seed + Math.imul(++group, 0x9e3779b9)) >>> 0)));
      return { grid, router: new PatchRouter(grid), network, groups };
    });
    this.neurons = this.branches.reduce((n, b) => n + b.groups.length * b.network.neurons, 0);
  }

  /** Each branch's output map [across, across, neurons per group], in the order `present` returns them. */
  layouts(): FeatureMapLayout[] {
    return this.branches.map((b) => ({ across: b.grid.across, features: b.network.neurons }));
  }

  /** Time steps per presentation. */
  get steps(): number {
    return this.options.network.steps;
  }

  /**
   * One presentation of an input map's spike events: every group runs on its patch's events
   * ('train': STDP, θ growth and normalisation on, as `EventDrivenDiehlCook.present`). Returns all
   * spike counts: branch after branch, each [across, across, neurons] flat (y, x, neuron).
   */
  present(input: SpikeEvents, mode: DiehlCookMode): Float32Array {
    if (input.inputs !== this.inputs || input.steps !== this.steps) fail('shape', 'SpikingInceptionModule.present', 'input spikes are [steps, side²·channels]', `[${this.steps}, ${this.inputs}]`, `[${input.steps}, ${input.inputs}]`);
    const counts = new Float32Array(this.neurons);
    let at = 0;
    for (const branch of this.branches) {
      const patches = branch.router.split(input);
      branch.groups.forEach((g, p) => {
        counts.set(g.present(patches[p]!, mode).counts, at);
        at += branch.network.neurons;
      });
    }
    return counts;
  }

  /** The learned state of every group: W [patch inputs, neurons] and θ [neurons], branch by branch, row-major over positions. */
  state(): { branch: number; position: number; w: Float32Array; theta: Float32Array }[] {
    return this.branches.flatMap((b, branch) => b.groups.map((g, position) => ({ branch, position, w: g.w.slice(), theta: g.theta.slice() })));
  }
}
