import { fail, type HostTensor } from '@spikeflow/core';
import { rewire, type RewireResult } from './deep-r.js';
import type { DeepRParam } from './deep-r-weight.js';
import { TaskRng } from '../tasks/task-rng.js';

/**
 * What DEEP R needs of a training step runner: core's `StepRunner` (WebGPU's `TrainStep`, the
 * trainer's CPU backend) fits as it is, and so does a plain loop over `evaluate` that keeps its
 * state. Reads may be asynchronous (a GPU readback).
 */
export interface TrainStateAccess {
  readState(names?: readonly string[]): Promise<Readonly<Record<string, HostTensor>>> | Readonly<Record<string, HostTensor>>;
  setState(values: Readonly<Record<string, HostTensor>>): void;
}

export interface DeepRewiringOptions {
  /** The optimizer's learning rate η (each call may override it, e.g. under a schedule). */
  readonly eta: number;
  readonly l1: number;
  readonly temperature: number;
  readonly seed: number;
}

/** One weight's counts from a rewire: every field of `RewireResult` but θ. */
export type RewireCounts = Omit<RewireResult, 'theta'>;

/**
 * Applies DEEP R to the θ of a training graph's state after each optimizer step. One seeded
 * generator drives every call, so a run is reproducible from its seed. The optimizer's slots are
 * left as they are (as in the reference code); should momentum lift a dormant θ above 0 on its
 * own, `rewire` prunes the surplus, so the count stays exact with any optimizer.
 */
export class DeepRewiring {
  private readonly rng: TaskRng;

  constructor(
    readonly params: readonly DeepRParam[],
    readonly options: DeepRewiringOptions,
  ) {
    this.rng = new TaskRng(options.seed);
  }

  /** Rewires θ in a state record (e.g. `evaluate(...).state`); the other entries pass through. */
  rewireState(state: Readonly<Record<string, HostTensor>>, eta = this.options.eta): { state: Record<string, HostTensor>; counts: Record<string, RewireCounts> } {
    const next: Record<string, HostTensor> = { ...state };
    const counts: Record<string, RewireCounts> = {};
    for (const p of this.params) {
      const current = state[p.name];
      if (current === undefined) fail('interface', `deepR.${p.name}`, 'the state has no θ of this name; train θ as state (trainingGraph)', p.name, Object.keys(state).join(', ') || 'none');
      const { theta, ...count } = rewire(current.data, { eta, l1: this.options.l1, temperature: this.options.temperature, rng: this.rng, target: p.target, eligible: p.eligible });
      next[p.name] = { type: current.type, data: theta };
      counts[p.name] = count;
    }
    return { state: next, counts };
  }

  /** readState -> rewire -> setState on a runner, after its optimizer step. */
  async apply(runner: TrainStateAccess, eta = this.options.eta): Promise<Record<string, RewireCounts>> {
    const names = this.params.map((p) => p.name);
    const current = await runner.readState(names);
    const { state, counts } = this.rewireState(current, eta);
    runner.setState(Object.fromEntries(names.map((n) => [n, state[n]!])));
    return counts;
  }
}
