import { fail } from '@spikeflow/core';
import { BatchWriter, checkSpikeCode, type SpikeCode } from './batch-writer.js';
import { checkInt, withDefaults } from './options.js';
import { defineTask, type Task, type TaskInfo } from './task.js';

/**
 * Delayed XOR (the delayed-memory XOR of Huh & Sejnowski 2018, "Gradient descent for spiking
 * neural networks", NeurIPS, in a spike code). Two uniform random bits a and b:
 * - a is shown for t in [0, pulseSteps),
 * - b after `delaySteps` of silence, for t in [p + d, 2p + d),
 * - after `waitSteps` more of silence the go cue is shown for `answerSteps` steps, the last
 *   steps of the episode, and the answer a XOR b is scored over exactly those steps.
 * Channels (population code): 0 "bit is 0", 1 "bit is 1" (shared by both bits, which never
 * overlap in time), 2 go. Chance 1/2, even for a model that remembers only one of the bits.
 * Defaults: pulse 5, delay 10, wait 5, answer 5 (T = 30), 4 inputs per channel, rate 1.
 */
export interface DelayedXorOptions {
  readonly pulseSteps: number;
  readonly delaySteps: number;
  readonly waitSteps: number;
  readonly answerSteps: number;
  readonly code: SpikeCode;
}

export interface DelayedXorEpisode {
  readonly a: 0 | 1;
  readonly b: 0 | 1;
}

const DEFAULTS: DelayedXorOptions = { pulseSteps: 5, delaySteps: 10, waitSteps: 5, answerSteps: 5, code: { perChannel: 4, rate: 1 } };
const GO = 2;

export function delayedXor(options: Partial<DelayedXorOptions> = {}): Task<DelayedXorEpisode> {
  const o = withDefaults(DEFAULTS, options);
  checkInt('pulseSteps', o.pulseSteps, 1);
  checkInt('delaySteps', o.delaySteps, 0);
  checkInt('waitSteps', o.waitSteps, 0);
  checkInt('answerSteps', o.answerSteps, 1);
  checkSpikeCode('code', o.code);
  const secondAt = o.pulseSteps + o.delaySteps;
  const goAt = secondAt + o.pulseSteps + o.waitSteps;
  const info: TaskInfo = {
    name: 'delayed-xor',
    steps: goAt + o.answerSteps,
    inputSize: 3 * o.code.perChannel,
    target: 'class',
    outputSize: 2,
    chance: { metric: 'accuracy', value: 0.5, why: 'a XOR b is uniform and independent of either bit alone' },
  };

  return defineTask(
    info,
    (rng) => ({ a: rng.int(2) as 0 | 1, b: rng.int(2) as 0 | 1 }),
    (episodes, rng) => {
      const w = new BatchWriter(info, episodes.length, { labels: true });
      episodes.forEach((episode, i) => {
        for (const bit of [episode.a, episode.b]) {
          if (bit !== 0 && bit !== 1) fail('feed', `episodes[${i}]`, 'bits are 0 or 1', '0 or 1', String(bit));
        }
        w.fire(0, o.pulseSteps, i, episode.a, o.code, rng);
        w.fire(secondAt, secondAt + o.pulseSteps, i, episode.b, o.code, rng);
        w.fire(goAt, info.steps, i, GO, o.code, rng);
        const answer = episode.a ^ episode.b;
        w.answerClass(goAt, info.steps, i, answer);
        w.label(i, answer);
      });
      return w.finish();
    },
  );
}
