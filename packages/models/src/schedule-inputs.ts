import { fail, isTupleType, leafName, type Graph } from '@spikeflow/core';
import { maskedPsnLambda } from './psn/masked-psn.js';

/**
 * Inputs that a layer reads from a schedule over the run rather than from the data: masked
 * PSN's λ (`<scope>/lambda`, from 0 to 1 over the first eighth of training). They are scalar f32
 * inputs, so a new value each epoch needs no recompile. The trainer feeds every one a model
 * declares, unless a batch gives it (a batch's value wins, for callers with a schedule of their own).
 */

/** A scheduled input's value in 0-based `epoch` of a run of `epochs`. */
export type EpochSchedule = (epoch: number, epochs: number) => number;

interface ScheduledKind {
  /** The input's name under its layer's scope: `<scope>/<base>`, or `<base>` at the root. */
  readonly base: string;
  readonly schedule: EpochSchedule;
  /** What it is, for errors. */
  readonly what: string;
}

const SCHEDULED_KINDS: readonly ScheduledKind[] = [{ base: 'lambda', schedule: maskedPsnLambda, what: "a masked PSN's λ" }];

export interface ScheduledInput {
  readonly name: string;
  readonly schedule: EpochSchedule;
  readonly what: string;
}

/** The graph's scheduled inputs: scalar f32 inputs whose name ends in a scheduled kind's base name. */
export function scheduledInputs(graph: Graph): ScheduledInput[] {
  const found: ScheduledInput[] = [];
  for (const id of graph.inputs) {
    const node = graph.nodes[id]!;
    if (isTupleType(node.type) || node.type.dtype !== 'f32' || node.type.shape.length !== 0) continue;
    const name = leafName(node);
    const kind = SCHEDULED_KINDS.find((k) => name === k.base || name.endsWith(`/${k.base}`));
    if (kind !== undefined) found.push({ name, schedule: kind.schedule, what: kind.what });
  }
  return found;
}

/**
 * Feeds for `inputs` in 0-based `epoch`, leaving out those in `given` (a batch's own values).
 * An epoch at or past the plan's last keeps the last epoch's value, so a run continued past its
 * planned `epochs` (or evaluated after it) sees where the schedule ended. Without `epochs`, an
 * input left to the schedule is an error naming it.
 */
export function scheduleFeeds(inputs: readonly ScheduledInput[], epoch: number, epochs: number | undefined, given: ReadonlySet<string> = new Set()): Record<string, number> {
  const feeds: Record<string, number> = {};
  for (const input of inputs) {
    if (given.has(input.name)) continue;
    if (epochs === undefined) {
      fail('feed', input.name, `the model's input '${input.name}' is ${input.what}, which follows a schedule over the run: give the trainer the run's epochs, or feed it in every batch`, 'epochs', 'none');
    }
    feeds[input.name] = input.schedule(Math.min(epoch, epochs - 1), epochs);
  }
  return feeds;
}
