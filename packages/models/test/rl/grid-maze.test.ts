import { describe, expect, it } from 'vitest';
import { GridMaze } from '../../src/rl/index.js';
import { TaskRng } from '../../src/tasks/task-rng.js';

const UP = 0;
const DOWN = 1;
const LEFT = 2;
const RIGHT = 3;

/** The actions of a shortest path between two free cells (breadth-first search over the maze). */
function pathTo(maze: GridMaze, from: readonly [number, number], to: readonly [number, number]): number[] {
  const moves: [number, number, number][] = [[-1, 0, UP], [1, 0, DOWN], [0, -1, LEFT], [0, 1, RIGHT]];
  const key = (r: number, c: number) => `${r},${c}`;
  const previous = new Map<string, [string, number]>([[key(...from), ['', -1]]]);
  const queue: [number, number][] = [[from[0], from[1]]];
  while (queue.length > 0) {
    const [r, c] = queue.shift()!;
    if (r === to[0] && c === to[1]) break;
    for (const [dr, dc, action] of moves) {
      const k = key(r + dr, c + dc);
      if (!maze.isWall(r + dr, c + dc) && !previous.has(k)) {
        previous.set(k, [key(r, c), action]);
        queue.push([r + dr, c + dc]);
      }
    }
  }
  const actions: number[] = [];
  for (let k = key(...to); k !== key(...from); ) {
    const [before, action] = previous.get(k)!;
    actions.unshift(action);
    k = before;
  }
  return actions;
}

describe('grid maze (Backpropamine)', () => {
  it('walls the border and every (even, even) cell, and shows the 3×3 neighbourhood', () => {
    const maze = new GridMaze({ size: 11 });
    expect(maze.isWall(0, 5)).toBe(true);
    expect(maze.isWall(10, 3)).toBe(true);
    expect(maze.isWall(2, 2)).toBe(true);
    expect(maze.isWall(4, 6)).toBe(true);
    expect(maze.isWall(3, 4)).toBe(false);
    expect(maze.isWall(5, 5)).toBe(false);
    const first = maze.reset(1);
    expect(maze.positions.agent).toEqual([5, 5]);
    // Around (5, 5): the four diagonal cells (4,4), (4,6), (6,4), (6,6) are pillars.
    expect(first.slice(0, 9)).toEqual([1, 0, 1, 0, 0, 0, 1, 0, 1]);
    expect(first.slice(9)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(new GridMaze({ size: 9 }).isWall(4, 4)).toBe(false); // the centre is kept free
  });

  it('moves, stops at walls with the penalty, and reports the previous action and reward', () => {
    const maze = new GridMaze({ size: 11, wallPenalty: 0.1 });
    maze.reset(3);
    if (maze.positions.reward[0] === 4 && maze.positions.reward[1] === 5) maze.reset(4);
    const up = maze.step(UP);
    expect(maze.positions.agent).toEqual([4, 5]);
    // Around (4, 5): rows 3..5, columns 4..6; only (4,4) and (4,6) are walls.
    expect(up.observation.slice(0, 9)).toEqual([0, 0, 0, 1, 0, 1, 0, 0, 0]);
    expect(up.observation.slice(9, 13)).toEqual([1, 0, 0, 0]);
    expect(up.reward).toBe(0);
    const bump = maze.step(LEFT); // (4, 4) is a pillar
    expect(maze.positions.agent).toEqual([4, 5]);
    expect(bump.reward).toBeCloseTo(-0.1, 12);
    expect(bump.observation.slice(9, 13)).toEqual([0, 0, 1, 0]);
    expect(bump.observation[13]).toBeCloseTo(-0.1, 12);
    expect(bump.observation[14]).toBeCloseTo(2 / 200, 12);
  });

  it('pays the reward, teleports the agent to another free cell and keeps the reward cell for the episode', () => {
    const maze = new GridMaze({ size: 11, reward: 10 });
    maze.reset(5);
    const rewardCell = maze.positions.reward;
    expect(maze.isWall(...rewardCell)).toBe(false);
    const path = pathTo(maze, maze.positions.agent, rewardCell);
    let last = maze.step(path[0]!);
    for (const action of path.slice(1)) {
      expect(last.reward).toBe(0);
      last = maze.step(action);
    }
    expect(last.reward).toBe(10);
    expect(last.observation[13]).toBe(10);
    const agent = maze.positions.agent;
    expect(maze.isWall(...agent)).toBe(false);
    expect(agent).not.toEqual(rewardCell);
    expect(maze.positions.reward).toEqual(rewardCell);
    // A second visit pays again.
    for (const action of pathTo(maze, agent, rewardCell)) last = maze.step(action);
    expect(last.reward).toBe(10);
  });

  it('draws the reward cell per episode from the seed and ends by the time limit', () => {
    const maze = new GridMaze({ size: 11, episodeLength: 5 });
    const cells = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      maze.reset(seed);
      cells.add(maze.positions.reward.join(','));
    }
    expect(cells.size).toBeGreaterThan(5);
    maze.reset(2);
    const again = maze.positions.reward;
    maze.reset(2);
    expect(maze.positions.reward).toEqual(again);
    const results = [0, 1, 2, 3, 4].map((t) => maze.step(t % 4));
    expect(results.map((r) => r.truncated)).toEqual([false, false, false, false, true]);
    expect(results.every((r) => !r.done)).toBe(true);
    expect(() => maze.step(0)).toThrow(/reset/);
  });

  it('replays a seed and an action sequence to the bit, teleports included', () => {
    const run = () => {
      const maze = new GridMaze({ size: 7, episodeLength: 300 });
      const walk = new TaskRng(3);
      const seen: number[][] = [[...maze.reset(11)]];
      for (let t = 0; t < 300; t++) seen.push([...maze.step(walk.int(4)).observation, ...maze.positions.agent]);
      return seen;
    };
    const a = run();
    expect(a.some((o) => o[13] === 10)).toBe(true); // a random walk in a 7×7 maze finds the reward
    expect(run()).toEqual(a);
  });

  it('rejects a bad size by name', () => {
    expect(() => new GridMaze({ size: 8 })).toThrow(/gridMaze.size/);
  });

  it('rejects an unknown option by name (a misspelt one would otherwise be dropped)', () => {
    expect(() => new GridMaze({ episodeLenght: 50 } as never)).toThrow(/gridMaze\.episodeLenght/);
  });
});
