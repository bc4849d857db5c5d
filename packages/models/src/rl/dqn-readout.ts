import { fail, type StepRunner, type TrainBackend } from '@spikeflow/core';
import { adam } from '../optim/adam.js';
import { trainingGraph } from '../training-graph.js';
import { Q_READOUT, qReadoutModel, type QReadoutOptions } from './q-readout.js';
import type { TransitionBatch } from './replay-buffer.js';

/** A linear Q readout's values: W [features, actions] and b [actions]. */
export interface Readout {
  readonly w: Float32Array;
  readonly b: Float32Array;
}

export interface DqnReadoutOptions extends QReadoutOptions {
  /** Updates between refreshes of the target copy (ignored when `targetPolyak` is given). */
  readonly targetUpdateSteps: number;
  /**
   * Polyak averaging instead of periodic copies: after every update the target moves this
   * fraction of the way to the readout, target ← target + τ·(readout − target) (τ in (0, 1]; the
   * soft target updates of DDPG, Lillicrap et al. 2016).
   */
  readonly targetPolyak?: number;
  readonly seed: number;
}

/**
 * A linear Q readout learned by DQN (Mnih et al. 2015): each `update` is one Adam step of the
 * Huber TD loss (`qReadoutModel`) on a replay batch against a frozen target copy, which is
 * refreshed every `targetUpdateSteps` updates, or averaged towards the readout after every update
 * (`targetPolyak`). Both start at zero.
 */
export class DqnReadout {
  private target: Readout;
  private updates = 0;

  private constructor(private readonly learner: StepRunner, private readonly options: DqnReadoutOptions, public readout: Readout) {
    this.target = readout;
  }

  /** The target copy the TD targets bootstrap from (a snapshot; changing it changes nothing). */
  get targetReadout(): Readout {
    return { w: this.target.w.slice(), b: this.target.b.slice() };
  }

  static async create(backend: TrainBackend, options: DqnReadoutOptions): Promise<DqnReadout> {
    const tau = options.targetPolyak;
    if (tau !== undefined && !(tau > 0 && tau <= 1)) fail('attr', 'DqnReadout targetPolyak', 'the Polyak fraction must lie in (0, 1]', '0 < targetPolyak <= 1', String(tau));
    const model = qReadoutModel(options);
    const learner = await backend.compileTrainStep(trainingGraph(model, { loss: Q_READOUT.loss, optimizer: adam(), wrt: [Q_READOUT.w, Q_READOUT.b] }), { seed: options.seed });
    return new DqnReadout(learner, options, { w: new Float32Array(options.features * options.actions), b: new Float32Array(options.actions) });
  }

  /** Frees the compiled learner (on wasm, a worker pool and its memory). */
  destroy(): void {
    this.learner.destroy();
  }

  /**
   * One learner step at learning rate `lr`; resolves to the updated readout (also `this.readout`).
   * A step that leaves a parameter non-finite (a diverging learning rate, overflowing features)
   * throws one error naming the parameter and element; `readout` and the target copy then keep
   * their last finite values, so no NaN reaches the reservoir's readout.
   */
  async update(batch: TransitionBatch, lr: number): Promise<Readout> {
    this.learner.step({
      [Q_READOUT.states]: batch.states,
      [Q_READOUT.actions]: batch.actions,
      [Q_READOUT.rewards]: batch.rewards,
      [Q_READOUT.nextStates]: batch.nextStates,
      [Q_READOUT.dones]: batch.dones,
      [Q_READOUT.targetW]: this.target.w,
      [Q_READOUT.targetB]: this.target.b,
      lr,
    });
    const state = await this.learner.readState([Q_READOUT.w, Q_READOUT.b]);
    const readout = { w: state[Q_READOUT.w]!.data as Float32Array, b: state[Q_READOUT.b]!.data as Float32Array };
    for (const [name, values] of [[Q_READOUT.w, readout.w], [Q_READOUT.b, readout.b]] as const) {
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) fail('nan', `DqnReadout.update (update ${this.updates + 1}, lr ${lr})`, `parameter ${name}[${bad}] is not finite after the step: the readout diverged`, 'finite values', String(values[bad]));
    }
    this.readout = readout;
    this.updates++;
    const tau = this.options.targetPolyak;
    if (tau !== undefined) this.target = { w: towards(this.target.w, readout.w, tau), b: towards(this.target.b, readout.b, tau) };
    else if (this.updates % this.options.targetUpdateSteps === 0) this.target = { w: readout.w.slice(), b: readout.b.slice() };
    return this.readout;
  }
}

/** target + τ·(value − target), element by element, as a new array. */
function towards(target: Float32Array, value: Float32Array, tau: number): Float32Array {
  return target.map((t, i) => t + tau * (value[i]! - t));
}
