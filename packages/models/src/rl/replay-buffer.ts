import { fail } from '@spikeflow/core';
import { TaskRng } from '../tasks/task-rng.js';

/** One transition: the features of a state, the action taken, its reward and the next state's features. */
export interface Transition {
  readonly state: ArrayLike<number>;
  readonly action: number;
  readonly reward: number;
  readonly nextState: ArrayLike<number>;
  /** 1 when `nextState` is terminal (its value is 0), else 0 (a time-limit cut-off is not terminal). */
  readonly done: boolean;
}

/** A sampled batch, flattened row-major for a graph's inputs: states [B, F], actions [B], ... */
export interface TransitionBatch {
  readonly size: number;
  readonly states: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly nextStates: Float32Array;
  readonly dones: Float32Array;
}

/**
 * Experience replay (Lin 1992; DQN, Mnih et al. 2015) as a ring of `capacity` transitions of
 * `features`-long state vectors, stored as float32: once full, each push overwrites the oldest.
 * `sample` draws indices uniformly with replacement from its own seeded generator, so a run
 * samples the same batches every time.
 */
export class ReplayBuffer {
  private readonly states: Float32Array;
  private readonly nextStates: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private readonly dones: Float32Array;
  private readonly rng: TaskRng;
  private next = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    readonly features: number,
    seed: number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) fail('attr', 'replayBuffer.capacity', 'must be a positive integer', '>= 1', String(capacity));
    if (!Number.isSafeInteger(features) || features < 1) fail('attr', 'replayBuffer.features', 'must be a positive integer', '>= 1', String(features));
    this.states = new Float32Array(capacity * features);
    this.nextStates = new Float32Array(capacity * features);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.dones = new Float32Array(capacity);
    this.rng = new TaskRng(seed, 1);
  }

  /** How many transitions it holds (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  push(t: Transition): void {
    if (t.state.length !== this.features || t.nextState.length !== this.features) fail('shape', 'replayBuffer.push', 'a state has the wrong length', String(this.features), `${t.state.length}, ${t.nextState.length}`);
    const at = this.next;
    this.states.set(t.state, at * this.features);
    this.nextStates.set(t.nextState, at * this.features);
    this.actions[at] = t.action;
    this.rewards[at] = t.reward;
    this.dones[at] = t.done ? 1 : 0;
    this.next = (at + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The stored transition at ring slot `slot` (0 .. size − 1; slot order, not age). */
  at(slot: number): Transition {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.count) fail('attr', 'replayBuffer.at', 'no transition in this slot', `[0, ${this.count})`, String(slot));
    const f = this.features;
    return {
      state: this.states.slice(slot * f, (slot + 1) * f),
      action: this.actions[slot]!,
      reward: this.rewards[slot]!,
      nextState: this.nextStates.slice(slot * f, (slot + 1) * f),
      done: this.dones[slot] === 1,
    };
  }

  /** `batch` transitions drawn uniformly with replacement; `slots` receives the drawn slots if given. */
  sample(batch: number, slots?: number[]): TransitionBatch {
    if (this.count === 0) fail('interface', 'replayBuffer.sample', 'the buffer is empty');
    if (!Number.isSafeInteger(batch) || batch < 1) fail('attr', 'replayBuffer.sample', 'the batch size must be a positive integer', '>= 1', String(batch));
    const f = this.features;
    const out: TransitionBatch = {
      size: batch,
      states: new Float32Array(batch * f),
      actions: new Int32Array(batch),
      rewards: new Float32Array(batch),
      nextStates: new Float32Array(batch * f),
      dones: new Float32Array(batch),
    };
    for (let i = 0; i < batch; i++) {
      const slot = this.rng.int(this.count);
      slots?.push(slot);
      out.states.set(this.states.subarray(slot * f, (slot + 1) * f), i * f);
      out.nextStates.set(this.nextStates.subarray(slot * f, (slot + 1) * f), i * f);
      out.actions[i] = this.actions[slot]!;
      out.rewards[i] = this.rewards[slot]!;
      out.dones[i] = this.dones[slot]!;
    }
    return out;
  }
}
