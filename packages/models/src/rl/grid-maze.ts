import { fail } from '@spikeflow/core';
import { TaskRng } from '../tasks/task-rng.js';
import { checkStep } from './check-action.js';
import type { BoxSpace, DiscreteSpace, Environment, EnvStep } from './environment.js';

export interface GridMazeOptions {
  /** The side of the square grid, odd and >= 5 (default 11, as in Backpropamine). */
  readonly size?: number;
  /** Steps per episode (default 200). */
  readonly episodeLength?: number;
  /** Reward for reaching the reward cell (default 10). */
  readonly reward?: number;
  /** Subtracted for bumping into a wall (default 0). */
  readonly wallPenalty?: number;
}

/** Row and column offsets of the actions: up, down, left, right. */
const MOVES: readonly (readonly [number, number])[] = [[-1, 0], [1, 0], [0, -1], [0, 1]];

/**
 * The grid maze of Backpropamine (Miconi et al. 2019): a square grid walled on its border, with a
 * wall at every cell whose row and column are both even (the centre cell kept free). An episode
 * starts at the centre with the reward on a random free cell other than the centre, fixed for the
 * episode and redrawn by the next `reset`. Reaching the reward cell pays `reward` and teleports
 * the agent to a random free cell other than the reward's; bumping into a wall leaves it in place
 * and costs `wallPenalty`. The reward cell is not visible: the agent sees the walls of its 3×3
 * neighbourhood (row-major, 1 = wall), its previous action (one-hot), its previous reward and the
 * elapsed fraction of the episode, and must remember where the reward was. Episodes end by the
 * time limit only (`truncated`).
 */
const GRID_MAZE_OPTIONS: ReadonlySet<string> = new Set(['size', 'episodeLength', 'reward', 'wallPenalty']);

export class GridMaze implements Environment {
  readonly size: number;
  readonly episodeLength: number;
  readonly reward: number;
  readonly wallPenalty: number;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 4 };
  private readonly walls: Uint8Array;
  private rng = new TaskRng(0);
  private agent: [number, number] = [0, 0];
  private rewardCell: [number, number] = [0, 0];
  private steps = 0;
  private running = false;

  constructor(options: GridMazeOptions = {}) {
    for (const key of Object.keys(options)) if (!GRID_MAZE_OPTIONS.has(key)) fail('attr', `gridMaze.${key}`, 'unknown option', [...GRID_MAZE_OPTIONS].join(', '), key);
    const { size = 11, episodeLength = 200, reward = 10, wallPenalty = 0 } = options;
    if (!Number.isInteger(size) || size < 5 || size % 2 === 0) fail('attr', 'gridMaze.size', 'the maze side must be an odd integer >= 5', 'odd >= 5', String(size));
    if (!Number.isInteger(episodeLength) || episodeLength < 1) fail('attr', 'gridMaze.episodeLength', 'must be a positive integer', '>= 1', String(episodeLength));
    if (!Number.isFinite(reward) || !Number.isFinite(wallPenalty)) fail('attr', 'gridMaze', 'reward and wallPenalty must be finite', 'finite numbers', `${reward}, ${wallPenalty}`);
    this.size = size;
    this.episodeLength = episodeLength;
    this.reward = reward;
    this.wallPenalty = wallPenalty;
    const centre = (size - 1) / 2;
    this.walls = new Uint8Array(size * size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const border = r === 0 || c === 0 || r === size - 1 || c === size - 1;
        const pillar = r % 2 === 0 && c % 2 === 0 && !(r === centre && c === centre);
        this.walls[r * size + c] = border || pillar ? 1 : 0;
      }
    }
    const n = 9 + 4 + 2;
    this.observationSpace = { kind: 'box', shape: [n], low: [...Array(13).fill(0), -Math.abs(wallPenalty), 0], high: [...Array(13).fill(1), Math.abs(reward), 1] };
  }

  isWall(row: number, col: number): boolean {
    return row < 0 || col < 0 || row >= this.size || col >= this.size || this.walls[row * this.size + col] === 1;
  }

  /** The agent's cell and the reward's, as [row, col]. */
  get positions(): { readonly agent: readonly [number, number]; readonly reward: readonly [number, number] } {
    return { agent: [...this.agent], reward: [...this.rewardCell] };
  }

  /** A uniformly drawn free cell other than `avoid`. */
  private freeCell(avoid: readonly [number, number]): [number, number] {
    for (;;) {
      const r = 1 + this.rng.int(this.size - 2);
      const c = 1 + this.rng.int(this.size - 2);
      if (!this.isWall(r, c) && !(r === avoid[0] && c === avoid[1])) return [r, c];
    }
  }

  private observe(previousAction: number, previousReward: number): number[] {
    const [r, c] = this.agent;
    const around: number[] = [];
    for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) around.push(this.isWall(r + dr, c + dc) ? 1 : 0);
    const action = [0, 0, 0, 0];
    if (previousAction >= 0) action[previousAction] = 1;
    return [...around, ...action, previousReward, this.steps / this.episodeLength];
  }

  reset(seed: number): readonly number[] {
    this.rng = new TaskRng(seed);
    const centre = (this.size - 1) / 2;
    this.agent = [centre, centre];
    this.rewardCell = this.freeCell(this.agent);
    this.steps = 0;
    this.running = true;
    return this.observe(-1, 0);
  }

  step(action: number): EnvStep {
    checkStep('gridMaze', action, this.actionSpace, this.running);
    const [dr, dc] = MOVES[action]!;
    const target: [number, number] = [this.agent[0] + dr, this.agent[1] + dc];
    let reward = 0;
    if (this.isWall(target[0], target[1])) reward -= this.wallPenalty;
    else this.agent = target;
    if (this.agent[0] === this.rewardCell[0] && this.agent[1] === this.rewardCell[1]) {
      reward += this.reward;
      this.agent = this.freeCell(this.rewardCell);
    }
    this.steps++;
    const truncated = this.steps >= this.episodeLength;
    this.running = !truncated;
    return { observation: this.observe(action, reward), reward, done: false, truncated };
  }
}
