import { fail } from '@spikeflow/core';
import { BatchWriter, checkSpikeCode, type SpikeCode } from './batch-writer.js';
import { checkInt, checkUnit, withScale, type Scale } from './options.js';
import { defineTask, type Task, type TaskInfo } from './task.js';

/**
 * Evidence accumulation (the "towers" cue task of Morcos & Harvey 2016, Nat. Neurosci., as the
 * e-prop paper sets it for spiking networks: Bellec et al. 2020, Nat. Commun., Fig. 3; reference
 * code IGITUGraz/eligibility_propagation, generate_click_task_data in
 * e_prop_tutorials_Figure3_and_S7/tools.py).
 * - An episode picks with probability 1/2 which side is favoured, then draws `cues` cues, each
 *   independently on the favoured side with probability 1 - `minorityProb`.
 * - Cue k is shown on its side's channel for t in [s + k·spacing, s + k·spacing + cueSteps), with
 *   s = spacing − cueSteps (the reference's leading silence).
 * - After the cue period (cues·spacing steps) and `delaySteps` of silence, the decision channel
 *   is active for the last `recallSteps` steps: the answer (0 = more left cues, 1 = more right
 *   cues) is scored over exactly those steps. `cues` is odd, so there is no tie.
 * - A background channel spikes at `backgroundRate` for the whole episode.
 * Channels (population code): 0 left, 1 right, 2 decision, 3 background. Chance 1/2.
 *
 * Scales: 'paper' is the reference (7 cues of 100 ms every 150 ms, 1050 ms delay, 150 ms
 * decision, minorityProb 0.3, 40 inputs in groups of 10 at 40 Hz, background 10 Hz; dt = 1 ms,
 * T = 2250). 'ci' (default): 7 cues of 4 steps every 6, delay 8, decision 6, 4 inputs per
 * channel, rate 0.5, background 0.05; T = 56.
 */
export interface EvidenceAccumulationOptions {
  readonly cues: number;
  readonly cueSteps: number;
  readonly spacing: number;
  readonly delaySteps: number;
  readonly recallSteps: number;
  readonly minorityProb: number;
  readonly code: SpikeCode;
  readonly backgroundRate: number;
}

export interface EvidenceEpisode {
  /** The side of each cue, 0 left or 1 right, in order of appearance. */
  readonly sides: readonly (0 | 1)[];
}

const PRESETS: Record<Scale, EvidenceAccumulationOptions> = {
  paper: { cues: 7, cueSteps: 100, spacing: 150, delaySteps: 1050, recallSteps: 150, minorityProb: 0.3, code: { perChannel: 10, rate: 0.04 }, backgroundRate: 0.01 },
  ci: { cues: 7, cueSteps: 4, spacing: 6, delaySteps: 8, recallSteps: 6, minorityProb: 0.3, code: { perChannel: 4, rate: 0.5 }, backgroundRate: 0.05 },
};

const LEFT = 0;
const RIGHT = 1;
const DECISION = 2;
const BACKGROUND = 3;

/** The side with more cues. */
function majoritySide(sides: readonly number[]): 0 | 1 {
  const right = sides.reduce((n, s) => n + s, 0);
  return 2 * right > sides.length ? RIGHT : LEFT;
}

export function evidenceAccumulation(options: Partial<EvidenceAccumulationOptions> & { scale?: Scale } = {}): Task<EvidenceEpisode> {
  const o = withScale(PRESETS, options);
  checkInt('cues', o.cues, 1);
  if (o.cues % 2 === 0) fail('spec', 'cues', 'an even number of cues can tie', 'an odd number', String(o.cues));
  checkInt('cueSteps', o.cueSteps, 1);
  checkInt('spacing', o.spacing, o.cueSteps);
  checkInt('delaySteps', o.delaySteps, 0);
  checkInt('recallSteps', o.recallSteps, 1);
  checkUnit('minorityProb', o.minorityProb);
  checkSpikeCode('code', o.code);
  checkUnit('backgroundRate', o.backgroundRate);
  const cuePeriod = o.cues * o.spacing;
  const info: TaskInfo = {
    name: 'evidence-accumulation',
    steps: cuePeriod + o.delaySteps + o.recallSteps,
    inputSize: 4 * o.code.perChannel,
    target: 'class',
    outputSize: 2,
    chance: { metric: 'accuracy', value: 0.5, why: 'both sides are favoured equally often and no cue is visible at decision time' },
  };

  return defineTask(
    info,
    (rng) => {
      const favoured = rng.int(2);
      return { sides: Array.from({ length: o.cues }, () => (rng.uniform() < o.minorityProb ? 1 - favoured : favoured) as 0 | 1) };
    },
    (episodes, rng) => {
      const w = new BatchWriter(info, episodes.length, { labels: true });
      const silence = o.spacing - o.cueSteps;
      episodes.forEach((episode, b) => {
        if (episode.sides.length !== o.cues) fail('feed', `episodes[${b}].sides`, 'one side per cue', `${o.cues} cues`, `${episode.sides.length}`);
        episode.sides.forEach((side, k) => {
          checkInt(`episodes[${b}].sides[${k}]`, side, 0, 1);
          const t0 = silence + k * o.spacing;
          w.fire(t0, t0 + o.cueSteps, b, side, o.code, rng);
        });
        w.fire(info.steps - o.recallSteps, info.steps, b, DECISION, o.code, rng);
        w.noise(b, BACKGROUND, o.code, o.backgroundRate, rng);
        const answer = majoritySide(episode.sides);
        w.answerClass(info.steps - o.recallSteps, info.steps, b, answer);
        w.label(b, answer);
      });
      return w.finish();
    },
  );
}
