import { fail } from '@spikeflow/core';
import { checkStep } from '../rl/check-action.js';
import type { BoxSpace, DiscreteSpace, Environment, EnvStep } from '../rl/environment.js';
import { TaskRng } from '../tasks/task-rng.js';

export interface NavigationArenaOptions {
  /** The side of the square grid arena (default 5). */
  readonly size?: number;
  /** Steps per episode (default 50). */
  readonly episodeLength?: number;
  /** Reward for reaching the goal cell (default 1). */
  readonly reward?: number;
}

/** Row and column offsets of the actions: up, down, left, right. */
export const ARENA_MOVES: readonly (readonly [number, number])[] = [[-1, 0], [1, 0], [0, -1], [0, 1]];

const ARENA_OPTIONS: ReadonlySet<string> = new Set(['size', 'episodeLength', 'reward']);

/**
 * The meta-RL navigation task of Bellec et al. (2018), on a discrete grid: a size × size open arena
 * (no walls inside) with a hidden goal cell drawn uniformly by `reset(seed)`, fixed for the episode.
 * The agent starts on a uniformly drawn cell other than the goal; each step moves it one cell
 * (up, down, left, right), a move across the border leaves it in place. Entering the goal cell pays
 * `reward` and places the agent on a fresh uniform cell other than the goal, so every find after
 * the first can be made from memory. The observation is the agent's own cell, the previous reward
 * and the previous action: [row, col, previousReward, one-hot previous action (4)]; the goal is
 * never shown. Episodes end by the time limit only (`truncated`).
 *
 * Draw order of one episode: goal row, goal col, then start row, col (redrawn while on the goal),
 * then one such placement after each find.
 */
export class NavigationArena implements Environment {
  readonly size: number;
  readonly episodeLength: number;
  readonly reward: number;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 4 };
  private rng = new TaskRng(0);
  private agent: [number, number] = [0, 0];
  private goalCell: [number, number] = [0, 0];
  private steps = 0;
  private running = false;

  constructor(options: NavigationArenaOptions = {}) {
    for (const key of Object.keys(options)) if (!ARENA_OPTIONS.has(key)) fail('attr', `navigationArena.${key}`, 'unknown option', [...ARENA_OPTIONS].join(', '), key);
    const { size = 5, episodeLength = 50, reward = 1 } = options;
    if (!Number.isInteger(size) || size < 2 || size > 1024) fail('attr', 'navigationArena.size', 'the arena side must be an integer in [2, 1024]', '[2, 1024]', String(size));
    if (!Number.isInteger(episodeLength) || episodeLength < 1) fail('attr', 'navigationArena.episodeLength', 'must be a positive integer', '>= 1', String(episodeLength));
    if (!Number.isFinite(reward)) fail('attr', 'navigationArena.reward', 'must be finite', 'a finite number', String(reward));
    this.size = size;
    this.episodeLength = episodeLength;
    this.reward = reward;
    const r = Math.abs(reward);
    this.observationSpace = { kind: 'box', shape: [7], low: [0, 0, Math.min(0, reward), 0, 0, 0, 0], high: [size - 1, size - 1, r, 1, 1, 1, 1] };
  }

  /** The agent's cell and the goal's, as [row, col]. */
  get positions(): { readonly agent: readonly [number, number]; readonly goal: readonly [number, number] } {
    return { agent: [...this.agent], goal: [...this.goalCell] };
  }

  /** A uniformly drawn cell other than the goal (row then col, redrawn while on the goal). */
  private placement(): [number, number] {
    for (;;) {
      const cell: [number, number] = [this.rng.int(this.size), this.rng.int(this.size)];
      if (cell[0] !== this.goalCell[0] || cell[1] !== this.goalCell[1]) return cell;
    }
  }

  private observe(previousAction: number, previousReward: number): number[] {
    const action = [0, 0, 0, 0];
    if (previousAction >= 0) action[previousAction] = 1;
    return [this.agent[0], this.agent[1], previousReward, ...action];
  }

  reset(seed: number): readonly number[] {
    this.rng = new TaskRng(seed);
    this.goalCell = [this.rng.int(this.size), this.rng.int(this.size)];
    this.agent = this.placement();
    this.steps = 0;
    this.running = true;
    return this.observe(-1, 0);
  }

  step(action: number): EnvStep {
    checkStep('navigationArena', action, this.actionSpace, this.running);
    const [dr, dc] = ARENA_MOVES[action]!;
    const row = this.agent[0] + dr;
    const col = this.agent[1] + dc;
    if (row >= 0 && col >= 0 && row < this.size && col < this.size) this.agent = [row, col];
    let reward = 0;
    if (this.agent[0] === this.goalCell[0] && this.agent[1] === this.goalCell[1]) {
      reward = this.reward;
      this.agent = this.placement();
    }
    this.steps++;
    const truncated = this.steps >= this.episodeLength;
    this.running = !truncated;
    return { observation: this.observe(action, reward), reward, done: false, truncated };
  }
}
