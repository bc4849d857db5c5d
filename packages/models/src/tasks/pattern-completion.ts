import { fail } from '@spikeflow/core';
import { BatchWriter, checkSpikeCode, type SpikeCode } from './batch-writer.js';
import { checkFinite, checkInt, checkUnit, withScale, type Scale } from './options.js';
import { TaskRng } from './task-rng.js';
import { defineTask, type Task, type TaskInfo } from './task.js';

/**
 * Pattern memorisation and completion: binary patterns of `size` elements, each +1 or −1 with
 * probability 1/2, then a degraded copy of one of them to complete. After Miconi, Clune & Stanley
 * 2018, "Differentiable plasticity", §4.1 (reference: uber-research/differentiable-plasticity,
 * simple/simplest.py):
 * - Presentation: `cycles` times, the `patterns` patterns in a fresh random order, each shown for
 *   `presentSteps` steps followed by `gapSteps` of zero input.
 * - Test, the last `testSteps` steps: one of the patterns, uniformly chosen, with each element
 *   kept with probability `cueFraction` and zeroed (hidden) otherwise.
 * - Target: the full test pattern (±1 per element), scored at the last step only.
 * With `fresh` (the paper) the patterns are new each episode, so only within-episode plasticity
 * or memory can complete them. Without it they are one fixed set drawn from `patternSeed`, to be
 * memorised in the weights across training (then `cycles` may be 0: the cue alone), and
 * `labels` says which pattern of the set was cued (chance 1/patterns).
 * Encodings: 'signed' feeds gain·element as a real-valued input (the paper uses gain 20);
 * 'onoff' is a spike code, element i driving channel 2i when +1 and 2i+1 when −1, both silent
 * when hidden or between presentations.
 * Baseline: echoing the cue gets the visible elements right and half of the hidden ones, an
 * element accuracy of cueFraction + (1 − cueFraction)/2 (0.75 at the paper's 1/2).
 * Scales: 'paper' = simplest.py (1000 elements, 5 patterns, 2 cycles of 6 + 4 steps, test 6,
 * cueFraction 1/2, gain 20; T = 106). 'ci' (default): 16 elements, 3 patterns, 2 cycles of
 * 3 + 2 steps, test 3; T = 33.
 */
export interface PatternCompletionOptions {
  readonly size: number;
  readonly patterns: number;
  readonly fresh: boolean;
  readonly patternSeed: number;
  readonly cycles: number;
  readonly presentSteps: number;
  readonly gapSteps: number;
  readonly testSteps: number;
  readonly cueFraction: number;
  readonly encoding: 'signed' | 'onoff';
  readonly gain: number;
  readonly code: SpikeCode;
}

export interface PatternEpisode {
  /** The episode's patterns, elements ±1 (for a fixed set, the set itself). */
  readonly patterns: readonly (readonly number[])[];
  /** For each cycle, the order in which the patterns are shown (indices into `patterns`). */
  readonly orders: readonly (readonly number[])[];
  /** The index of the tested pattern. */
  readonly test: number;
  /** 1 where the test pattern's element is shown, 0 where it is hidden. */
  readonly visible: readonly (0 | 1)[];
}

const PRESETS: Record<Scale, PatternCompletionOptions> = {
  paper: { size: 1000, patterns: 5, fresh: true, patternSeed: 0, cycles: 2, presentSteps: 6, gapSteps: 4, testSteps: 6, cueFraction: 0.5, encoding: 'signed', gain: 20, code: { perChannel: 1, rate: 1 } },
  ci: { size: 16, patterns: 3, fresh: true, patternSeed: 0, cycles: 2, presentSteps: 3, gapSteps: 2, testSteps: 3, cueFraction: 0.5, encoding: 'signed', gain: 1, code: { perChannel: 1, rate: 1 } },
};

function randomPattern(size: number, rng: TaskRng): number[] {
  return Array.from({ length: size }, () => (rng.int(2) === 1 ? 1 : -1));
}

export function patternCompletion(options: Partial<PatternCompletionOptions> & { scale?: Scale } = {}): Task<PatternEpisode> {
  const o = withScale(PRESETS, options);
  checkInt('size', o.size, 1);
  checkInt('patterns', o.patterns, 1);
  checkInt('cycles', o.cycles, o.fresh ? 1 : 0);
  checkInt('presentSteps', o.presentSteps, 1);
  checkInt('gapSteps', o.gapSteps, 0);
  checkInt('testSteps', o.testSteps, 1);
  checkUnit('cueFraction', o.cueFraction);
  checkFinite('gain', o.gain);
  if (o.encoding !== 'signed' && o.encoding !== 'onoff') fail('spec', 'encoding', 'unknown pattern encoding', 'signed or onoff', String(o.encoding));
  checkSpikeCode('code', o.code);
  const slot = o.presentSteps + o.gapSteps;
  const testAt = o.cycles * o.patterns * slot;
  const fixed = o.fresh ? undefined : (() => {
    const rng = new TaskRng(o.patternSeed, 2);
    return Array.from({ length: o.patterns }, () => randomPattern(o.size, rng));
  })();
  const info: TaskInfo = {
    name: 'pattern-completion',
    steps: testAt + o.testSteps,
    inputSize: o.encoding === 'signed' ? o.size : 2 * o.size * o.code.perChannel,
    target: 'value',
    outputSize: o.size,
    chance: { metric: 'element-accuracy', value: o.cueFraction + (1 - o.cueFraction) / 2, why: 'echoing the cue: visible elements right, hidden ones a coin flip' },
  };

  const sample = (rng: TaskRng): PatternEpisode => {
    const patterns = fixed ?? Array.from({ length: o.patterns }, () => randomPattern(o.size, rng));
    const orders = Array.from({ length: o.cycles }, () => Array.from(rng.shuffle(Int32Array.from(patterns.keys()))));
    const test = rng.int(o.patterns);
    const visible = Array.from({ length: o.size }, () => rng.bernoulli(o.cueFraction));
    return { patterns, orders, test, visible };
  };

  return defineTask(info, sample, (episodes, rng) => {
    const w = new BatchWriter(info, episodes.length, { labels: !o.fresh });
    const show = (t0: number, t1: number, b: number, pattern: readonly number[], visible?: readonly number[]) => {
      pattern.forEach((element, i) => {
        if (visible && !visible[i]) return;
        if (o.encoding === 'signed') w.hold(t0, t1, b, i, o.gain * element);
        else w.fire(t0, t1, b, 2 * i + (element > 0 ? 0 : 1), o.code, rng);
      });
    };
    episodes.forEach((episode, b) => {
      const where = `episodes[${b}]`;
      if (episode.patterns.length !== o.patterns) fail('feed', `${where}.patterns`, 'wrong number of patterns', `${o.patterns}`, `${episode.patterns.length}`);
      episode.patterns.forEach((p, k) => {
        if (p.length !== o.size || p.some((e) => e !== 1 && e !== -1)) fail('feed', `${where}.patterns[${k}]`, 'a pattern is a vector of ±1', `${o.size} elements of ±1`, p.join(','));
      });
      if (episode.orders.length !== o.cycles) fail('feed', `${where}.orders`, 'one order per cycle', `${o.cycles}`, `${episode.orders.length}`);
      if (episode.visible.length !== o.size) fail('feed', `${where}.visible`, 'one flag per element', `${o.size}`, `${episode.visible.length}`);
      checkInt(`${where}.test`, episode.test, 0, o.patterns - 1);
      episode.orders.forEach((order, c) =>
        order.forEach((k, i) => {
          checkInt(`${where}.orders[${c}][${i}]`, k, 0, o.patterns - 1);
          const t0 = (c * o.patterns + i) * slot;
          show(t0, t0 + o.presentSteps, b, episode.patterns[k]!);
        }),
      );
      const target = episode.patterns[episode.test]!;
      show(testAt, info.steps, b, target, episode.visible);
      w.answerValues(info.steps - 1, info.steps, b, target);
      if (!o.fresh) w.label(b, episode.test);
    });
    return w.finish();
  });
}
