import { fail } from '@spikeflow/core';
import { BatchWriter, checkSpikeCode, type SpikeCode } from './batch-writer.js';
import { checkInt, withDefaults } from './options.js';
import type { TaskRng } from './task-rng.js';
import { defineTask, type Task, type TaskInfo } from './task.js';

/**
 * In-episode cue association, a one-shot binding task for plasticity (in the spirit of the
 * one-shot pairing tasks of Miconi et al. 2018/2019 and SpikePropamine 2021). Every episode
 * draws NEW pairs, so no fixed weights can hold the answer:
 * - `pairs` cues, each a distinct random set of `cueActive` of the `cueChannels` cue channels,
 *   and `pairs` DISTINCT target classes out of `classes`, paired at random.
 * - Presentation, `repeats` times: each pair in turn, cue and the one-hot target channel
 *   together for `presentSteps` steps, then `gapSteps` of silence.
 * - After `delaySteps` of silence, the query: one of the cues, uniformly chosen, alone with the
 *   go channel for `querySteps` steps, the last of the episode; the answer (its paired class) is
 *   scored over exactly those steps.
 * Channels (population code): cue channels 0..cueChannels−1, then the `classes` target channels,
 * then go. Chance 1/pairs: the targets are distinct, so knowing which classes were shown, without
 * their binding to the cues, still leaves a uniform guess among them. Solving it needs memory
 * formed within the episode (plastic weights, or persistent activity).
 * Defaults: 3 pairs, 8 cue channels with 2 active, 3 classes, present 3, gap 1, 1 repeat,
 * delay 2, query 3 (T = 17), 1 input per channel, rate 1.
 */
export interface CueAssociationOptions {
  readonly pairs: number;
  readonly cueChannels: number;
  readonly cueActive: number;
  readonly classes: number;
  readonly repeats: number;
  readonly presentSteps: number;
  readonly gapSteps: number;
  readonly delaySteps: number;
  readonly querySteps: number;
  readonly code: SpikeCode;
}

export interface CueAssociationEpisode {
  /** The active cue channels of each pair's cue. */
  readonly cues: readonly (readonly number[])[];
  /** The class paired with each cue. */
  readonly targets: readonly number[];
  /** The index of the queried pair. */
  readonly query: number;
}

const DEFAULTS: CueAssociationOptions = {
  pairs: 3,
  cueChannels: 8,
  cueActive: 2,
  classes: 3,
  repeats: 1,
  presentSteps: 3,
  gapSteps: 1,
  delaySteps: 2,
  querySteps: 3,
  code: { perChannel: 1, rate: 1 },
};

/** Gives up when distinct cues are (nearly) impossible instead of looping for ever. */
const MAX_REDRAWS = 10_000;

export function cueAssociation(options: Partial<CueAssociationOptions> = {}): Task<CueAssociationEpisode> {
  const o = withDefaults(DEFAULTS, options);
  checkInt('pairs', o.pairs, 1);
  checkInt('cueChannels', o.cueChannels, 1);
  checkInt('cueActive', o.cueActive, 1, o.cueChannels);
  checkInt('classes', o.classes, o.pairs);
  checkInt('repeats', o.repeats, 1);
  checkInt('presentSteps', o.presentSteps, 1);
  checkInt('gapSteps', o.gapSteps, 0);
  checkInt('delaySteps', o.delaySteps, 0);
  checkInt('querySteps', o.querySteps, 1);
  checkSpikeCode('code', o.code);
  const slot = o.presentSteps + o.gapSteps;
  const queryAt = o.repeats * o.pairs * slot + o.delaySteps;
  const go = o.cueChannels + o.classes;
  const info: TaskInfo = {
    name: 'cue-association',
    steps: queryAt + o.querySteps,
    inputSize: (go + 1) * o.code.perChannel,
    target: 'class',
    outputSize: o.classes,
    chance: { metric: 'accuracy', value: 1 / o.pairs, why: 'without the binding, a uniform guess among the distinct classes shown' },
  };

  const sample = (rng: TaskRng): CueAssociationEpisode => {
    const cues: number[][] = [];
    const seen = new Set<string>();
    for (let attempt = 0; cues.length < o.pairs; attempt++) {
      if (attempt >= MAX_REDRAWS) fail('spec', 'cueActive', `cannot draw ${o.pairs} distinct cues`, 'more cue channels', `${o.cueChannels} channels, ${o.cueActive} active`);
      const channels = Array.from(rng.shuffle(Int32Array.from({ length: o.cueChannels }, (_, i) => i)).subarray(0, o.cueActive)).sort((a, b) => a - b);
      const key = channels.join(',');
      if (!seen.has(key)) {
        seen.add(key);
        cues.push(channels);
      }
    }
    const classes = rng.shuffle(Int32Array.from({ length: o.classes }, (_, i) => i));
    return { cues, targets: Array.from(classes.subarray(0, o.pairs)), query: rng.int(o.pairs) };
  };

  return defineTask(info, sample, (episodes, rng) => {
    const w = new BatchWriter(info, episodes.length, { labels: true });
    const showCue = (t0: number, t1: number, b: number, cue: readonly number[]) => cue.forEach((c) => w.fire(t0, t1, b, c, o.code, rng));
    episodes.forEach((episode, b) => {
      const where = `episodes[${b}]`;
      if (episode.cues.length !== o.pairs || episode.targets.length !== o.pairs) {
        fail('feed', where, 'one cue and one target per pair', `${o.pairs} pairs`, `${episode.cues.length} cues, ${episode.targets.length} targets`);
      }
      episode.cues.forEach((cue, k) => cue.forEach((c, j) => checkInt(`${where}.cues[${k}][${j}]`, c, 0, o.cueChannels - 1)));
      episode.targets.forEach((c, k) => checkInt(`${where}.targets[${k}]`, c, 0, o.classes - 1));
      checkInt(`${where}.query`, episode.query, 0, o.pairs - 1);
      for (let r = 0; r < o.repeats; r++) {
        episode.cues.forEach((cue, k) => {
          const t0 = (r * o.pairs + k) * slot;
          showCue(t0, t0 + o.presentSteps, b, cue);
          w.fire(t0, t0 + o.presentSteps, b, o.cueChannels + episode.targets[k]!, o.code, rng);
        });
      }
      showCue(queryAt, info.steps, b, episode.cues[episode.query]!);
      w.fire(queryAt, info.steps, b, go, o.code, rng);
      const answer = episode.targets[episode.query]!;
      w.answerClass(queryAt, info.steps, b, answer);
      w.label(b, answer);
    });
    return w.finish();
  });
}
