import { cpuBackend, SpikeflowError } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import {
  arenaInputSize,
  encodeArenaObservation,
  findTimes,
  NavigationArena,
  navigationStepModel,
  navigationTrainingModel,
  playNavigation,
  rolloutReturns,
  summarizeFinds,
  describeFinds,
  type NavigationAgentOptions,
} from '../src/l2l/index.js';
import { TaskRng } from '../src/tasks/task-rng.js';

const UP = 0;
const DOWN = 1;
const LEFT = 2;
const RIGHT = 3;

describe('the navigation arena', () => {
  it('draws the goal then the start (redrawn off the goal) from the seed, and starts with no reward and no action', () => {
    const env = new NavigationArena({ size: 5, episodeLength: 10 });
    const first = env.reset(42);
    const u = new TaskRng(42);
    const goal = [u.int(5), u.int(5)];
    let start = [u.int(5), u.int(5)];
    while (start[0] === goal[0] && start[1] === goal[1]) start = [u.int(5), u.int(5)];
    expect(env.positions.goal).toEqual(goal);
    expect(env.positions.agent).toEqual(start);
    expect(first).toEqual([start[0], start[1], 0, 0, 0, 0, 0]);
  });

  it('moves one cell per step, stays put at the border, pays on the goal and re-places the agent from the next draws', () => {
    // Find a seed whose goal is at (2, 3) with the agent starting in row 0, then walk there by hand.
    let seed = 0;
    const env = new NavigationArena({ size: 5, episodeLength: 8, reward: 1 });
    for (; ; seed++) {
      env.reset(seed);
      const { goal, agent } = env.positions;
      if (goal[0] === 2 && goal[1] === 3 && agent[0] === 0 && agent[1] <= 3) break;
    }
    const u = new TaskRng(seed);
    u.int(5), u.int(5); // the goal
    const start = env.positions.agent;
    let s = env.step(UP); // row 0: a move across the border keeps the cell
    expect(s.observation).toEqual([0, start[1], 0, 1, 0, 0, 0]);
    expect(s.reward).toBe(0);
    for (let c = start[1]; c < 3; c++) s = env.step(RIGHT);
    expect(env.positions.agent).toEqual([0, 3]);
    expect(env.step(DOWN).reward).toBe(0);
    // Replay the start's draws (redrawn while on the goal), then the placement after the find.
    let cell = [u.int(5), u.int(5)];
    while (cell[0] === 2 && cell[1] === 3) cell = [u.int(5), u.int(5)];
    expect(cell).toEqual(start);
    let placed = [u.int(5), u.int(5)];
    while (placed[0] === 2 && placed[1] === 3) placed = [u.int(5), u.int(5)];
    const hit = env.step(DOWN);
    expect(hit.reward).toBe(1);
    expect(env.positions.agent).toEqual(placed);
    expect(hit.observation).toEqual([placed[0], placed[1], 1, 0, 1, 0, 0]);
    expect(env.positions.goal).toEqual([2, 3]);
  });

  it('ends by the time limit (truncated, not done) and refuses a step after it and a bad action', () => {
    const env = new NavigationArena({ size: 3, episodeLength: 2 });
    env.reset(1);
    expect(env.step(LEFT).truncated).toBe(false);
    const last = env.step(LEFT);
    expect([last.done, last.truncated]).toEqual([false, true]);
    expect(() => env.step(LEFT)).toThrow(SpikeflowError);
    env.reset(1);
    expect(() => env.step(4)).toThrow(/action space/);
    expect(() => new NavigationArena({ size: 1 })).toThrow(/navigationArena.size/);
    expect(() => new NavigationArena({ walls: 1 } as never)).toThrow(/navigationArena.walls/);
  });

  it('replays the same episode to the bit from the same seed and actions', () => {
    const play = (seed: number) => {
      const env = new NavigationArena({ size: 4, episodeLength: 60 });
      const out: number[][] = [[...env.reset(seed)]];
      const actions = new TaskRng(9);
      for (let t = 0; t < 60; t++) out.push([...env.step(actions.int(4)).observation]);
      return out;
    };
    expect(play(5)).toEqual(play(5));
    expect(play(5)).not.toEqual(play(6));
  });
});

describe('arena input channels', () => {
  it('tunes row and column onto one channel per cell, then reward/reward and the action flags, all times the gain', () => {
    const out = new Float32Array(arenaInputSize(3));
    encodeArenaObservation({ size: 3, reward: 2, width: 1, gain: 0.5 }, [0, 2, 2, 0, 0, 1, 0], out);
    const g = (d: number) => 0.5 * Math.exp(-0.5 * d * d);
    const expected = [g(0), g(1), g(2), g(2), g(1), g(0), 0.5, 0, 0, 0.5, 0];
    expected.forEach((v, j) => expect(out[j]).toBeCloseTo(v, 6));
  });
});

describe('find times', () => {
  it('scores every search that had the whole window, capped at the window', () => {
    // Finds at steps 2 and 5 and 9 of 12; window 4: searches start at 0 (3 steps), 3 (3 steps), 6 (4 steps),
    // 10 (not scored: 10 + 4 > 12).
    const r = [0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0];
    expect(findTimes(r, 4)).toEqual({ first: 3, later: [3, 4], finds: 3 });
    // No find: the first search is scored as the window, and the later ones do not exist.
    expect(findTimes([0, 0, 0, 0, 0], 3)).toEqual({ first: 3, later: [], finds: 0 });
    // A search still running at the end that had its window counts as the window.
    expect(findTimes([1, 0, 0, 0, 0], 3)).toEqual({ first: 1, later: [3], finds: 1 });
    expect(() => findTimes([0, 1], 3)).toThrow(/findTimes.window/);
  });

  it('summarizes first against later searches', () => {
    const s = summarizeFinds([{ first: 6, later: [2, 4], finds: 3 }, { first: 4, later: [], finds: 1 }], 8);
    expect([s.meanFirst, s.meanLater, s.speedup, s.meanFinds, s.laterSearches]).toEqual([5, 3, 5 / 3, 2, 2]);
  });

  it('gives no later-search mean or speed-up (null, not NaN) when no later search qualified', () => {
    const s = summarizeFinds([{ first: 8, later: [], finds: 0 }, { first: 6, later: [], finds: 1 }], 8);
    expect([s.meanFirst, s.meanLater, s.speedup, s.laterSearches, s.meanFinds]).toEqual([7, null, null, 0, 0.5]);
    expect(describeFinds(s)).toBe('first search 7.0 steps, no later search within a 8-step window');
    expect(describeFinds(summarizeFinds([{ first: 6, later: [2, 4], finds: 3 }], 8))).toBe('first search 6.0 steps, later 3.0 (2.00×)');
    expect(() => summarizeFinds([], 8)).toThrow('summarizeFinds: no episodes to summarize');
  });

  it('gives a memoryless random walk no speed-up after the first find (within sampling error)', async () => {
    const arena = { size: 4, episodeLength: 60, reward: 1 };
    const finds = [];
    for (let j = 0; j < 40; j++) finds.push(...(await playNavigation(undefined, arena, { width: 1, gain: 1 }, 1, 16, j, 20)).finds);
    const s = summarizeFinds(finds, 20);
    expect(s.speedup).toBeGreaterThan(0.85);
    expect(s.speedup).toBeLessThan(1.15);
  });
});

describe('the LSNN actor-critic', () => {
  const agent: NavigationAgentOptions = { size: 3, substeps: 2, network: { nLif: 4, nAlif: 4, tauM: 2, tauA: 20, beta: 1.8, refractory: 1 } };
  const arena = { size: 3, episodeLength: 7, reward: 1 };

  it('the rollout, one arena step per call with carried state, computes what the episode model computes at once', async () => {
    const backend = cpuBackend();
    const forward = await backend.compile(navigationStepModel(agent, 3), { seed: 4 });
    const rollout = await playNavigation(forward, arena, { width: 1, gain: 3 }, agent.substeps, 3, 11, 3);
    const again = await playNavigation(forward, arena, { width: 1, gain: 3 }, agent.substeps, 3, 11, 3);
    expect(again.actions).toEqual(rollout.actions);
    expect(again.inputs).toEqual(rollout.inputs);
    // Replay the inputs step by step, keeping logits and values, then compare with the episode model's A2C parts.
    forward.resetState();
    const d = arenaInputSize(3);
    const per = agent.substeps * 3 * d;
    const logits: number[][] = [];
    const values: number[] = [];
    for (let t = 0; t < arena.episodeLength; t++) {
      const out = await forward.run({ x: { type: { shape: [agent.substeps, 3, d], dtype: 'f32' }, data: rollout.inputs.slice(t * per, (t + 1) * per) } });
      for (let b = 0; b < 3; b++) logits.push(Array.from(out.logits!.data.slice(4 * b, 4 * b + 4)));
      values.push(...Array.from(out.value!.data));
    }
    const returns = rolloutReturns(rollout, 0.8);
    let [valueLoss, entropy] = [0, 0];
    logits.forEach((l, i) => {
      const m = Math.max(...l);
      const z = l.reduce((a, v) => a + Math.exp(v - m), 0);
      const p = l.map((v) => Math.exp(v - m) / z);
      entropy -= p.reduce((a, q) => a + q * Math.log(q), 0) / logits.length;
      valueLoss += (returns[i]! - values[i]!) ** 2 / logits.length;
    });
    const episode = await backend.compile(navigationTrainingModel(agent, arena.episodeLength, 3), { seed: 4 });
    const parts = await episode.run({ x: rollout.inputs, actions: { type: { shape: [rollout.actions.length], dtype: 'i32' }, data: rollout.actions }, returns });
    expect(parts.value!.data[0]).toBeCloseTo(valueLoss, 5);
    expect(parts.entropy!.data[0]).toBeCloseTo(entropy, 5);
    // Some spikes reached the readouts: the logits differ between steps.
    expect(new Set(logits.map((l) => l[0]!.toFixed(6))).size).toBeGreaterThan(1);
    forward.destroy();
    episode.destroy();
  });

  it('discounts each episode of a rollout on its own', () => {
    const r = { batch: 2, envSteps: 3, rewards: Float32Array.from([0, 1, 1, 0, 0, 1]) } as Parameters<typeof rolloutReturns>[0];
    // Episode 0: rewards 0, 1, 0 -> returns 0.5, 1, 0; episode 1: 1, 0, 1 -> 1.25, 0.5, 1.
    expect(Array.from(rolloutReturns(r, 0.5))).toEqual([0.5, 1.25, 1, 0.5, 0, 1]);
  });
});
