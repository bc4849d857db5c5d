import { fail } from '@spikeflow/core';
import { BatchWriter, checkSpikeCode, type SpikeCode } from './batch-writer.js';
import { checkInt, checkUnit, withScale, type Scale } from './options.js';
import type { TaskRng } from './task-rng.js';
import { defineTask, type Task, type TaskInfo } from './task.js';

/**
 * Store-recall (Bellec et al. 2018, "Long short-term memory and learning-to-learn in networks of
 * spiking neurons", NeurIPS; its reference code IGITUGraz/LSNN-official,
 * bin/tutorial_storerecall_*.py). An episode is `length` characters of `charSteps` steps each:
 * - Every character shows a random value v in [0, 2^bits) (distractors too).
 * - Commands: starting in "wait for store", each character becomes a STORE with probability
 *   `commandProb` while waiting for a store, or a RECALL with probability `commandProb` while
 *   waiting for a recall, so the commands alternate store, recall, store, ... An episode is
 *   redrawn until it has a store and ends its commands on a recall (the reference's validity
 *   test, less the rules about its one-character-late value).
 * - Target: during a RECALL character, the value shown at the most recent STORE; scored over all
 *   steps of the recall character (the reference averages the output over the character).
 * Input channels (population code, `perChannel` inputs each, spiking at `rate` while active): for
 * bit j, channel 2j is active when the shown value's bit j is 0 and channel 2j+1 when it is 1
 * (the reference's "value 0" / "value 1" groups), then channel 2·bits is STORE and 2·bits+1
 * RECALL. Targets are class indices of 2^bits classes; chance 1/2^bits.
 *
 * One deliberate difference from the reference: there the stored value is the character AFTER
 * the store, copied onto the store character's value channels and inverted with probability 1/2
 * on the next one; here the value is the one shown with the store command itself.
 *
 * Scales: 'paper' is the reference tutorial (12 characters of 200 steps of 1 ms, 1 bit,
 * commandProb 1/7 = 1/(1 + seq_delay 6), 100 inputs in 4 groups of 25, 50 Hz: rate 0.05), T = 2400.
 * 'ci' (default): 8 characters of 8 steps, 1 bit, commandProb 1/3, 4 inputs per channel, rate
 * 0.5, T = 64.
 */
export interface StoreRecallOptions {
  readonly length: number;
  readonly charSteps: number;
  readonly bits: number;
  readonly commandProb: number;
  readonly code: SpikeCode;
}

export interface StoreRecallEpisode {
  /** The value shown during each character, in [0, 2^bits). */
  readonly values: readonly number[];
  /** The command of each character. */
  readonly commands: readonly ('none' | 'store' | 'recall')[];
}

const PRESETS: Record<Scale, StoreRecallOptions> = {
  paper: { length: 12, charSteps: 200, bits: 1, commandProb: 1 / 7, code: { perChannel: 25, rate: 0.05 } },
  ci: { length: 8, charSteps: 8, bits: 1, commandProb: 1 / 3, code: { perChannel: 4, rate: 0.5 } },
};

/** Gives up on an impossible setting (e.g. commandProb 0) instead of looping for ever. */
const MAX_REDRAWS = 10_000;

/** The target of each character: the stored value at a recall, -1 elsewhere. */
export function storeRecallTargets(episode: StoreRecallEpisode): number[] {
  let stored = -1;
  return episode.commands.map((command, i) => {
    if (command === 'store') stored = episode.values[i]!;
    return command === 'recall' ? stored : -1;
  });
}

function valid(commands: readonly string[]): boolean {
  const used = commands.filter((c) => c !== 'none');
  return used.includes('store') && used[used.length - 1] === 'recall';
}

export function storeRecall(options: Partial<StoreRecallOptions> & { scale?: Scale } = {}): Task<StoreRecallEpisode> {
  const o = withScale(PRESETS, options);
  checkInt('length', o.length, 2);
  checkInt('charSteps', o.charSteps, 1);
  checkInt('bits', o.bits, 1, 16);
  checkUnit('commandProb', o.commandProb);
  checkSpikeCode('code', o.code);
  const classes = 2 ** o.bits;
  const channels = 2 * o.bits + 2;
  const info: TaskInfo = {
    name: 'store-recall',
    steps: o.length * o.charSteps,
    inputSize: channels * o.code.perChannel,
    target: 'class',
    outputSize: classes,
    chance: { metric: 'accuracy', value: 1 / classes, why: 'the stored value is uniform and independent of everything shown at recall time' },
  };

  const sample = (rng: TaskRng): StoreRecallEpisode => {
    for (let attempt = 0; attempt < MAX_REDRAWS; attempt++) {
      const values = Array.from({ length: o.length }, () => rng.int(classes));
      let waiting: 'store' | 'recall' = 'store';
      const commands = values.map(() => {
        if (rng.uniform() >= o.commandProb) return 'none';
        const command = waiting;
        waiting = waiting === 'store' ? 'recall' : 'store';
        return command;
      });
      if (valid(commands)) return { values, commands };
    }
    return fail('spec', 'commandProb', `no valid store-recall episode in ${MAX_REDRAWS} draws`, 'a probability that yields a store and a recall', String(o.commandProb));
  };

  return defineTask(info, sample, (episodes, rng) => {
    const w = new BatchWriter(info, episodes.length, { labels: false });
    episodes.forEach((episode, b) => {
      if (episode.values.length !== o.length || episode.commands.length !== o.length) {
        fail('feed', `episodes[${b}]`, 'an episode has one value and one command per character', `${o.length} characters`, `${episode.values.length} values, ${episode.commands.length} commands`);
      }
      if (!valid(episode.commands)) fail('feed', `episodes[${b}].commands`, 'commands must include a store and end on a recall', 'store ... recall', episode.commands.join(','));
      const targets = storeRecallTargets(episode);
      episode.values.forEach((value, i) => {
        checkInt(`episodes[${b}].values[${i}]`, value, 0, classes - 1);
        const t0 = i * o.charSteps;
        const t1 = t0 + o.charSteps;
        for (let j = 0; j < o.bits; j++) w.fire(t0, t1, b, 2 * j + ((value >> j) & 1), o.code, rng);
        const command = episode.commands[i];
        if (command === 'store') w.fire(t0, t1, b, 2 * o.bits, o.code, rng);
        if (command === 'recall') {
          w.fire(t0, t1, b, 2 * o.bits + 1, o.code, rng);
          w.answerClass(t0, t1, b, targets[i]!);
        }
      });
    });
    return w.finish();
  });
}
