import { fail } from '@spikeflow/core';
import { permutation } from '../tasks/task-rng.js';

export interface ClassSplitOptions {
  /** K, the number of clients. */
  readonly clients: number;
  /** How many classes each client holds (2 in McMahan et al.'s pathological split). */
  readonly classesPerClient: number;
  /** The number of classes; labels lie in 0 .. classes − 1. */
  readonly classes: number;
  readonly seed: number;
}

/**
 * A pathological non-IID split (McMahan et al. 2017, §3): client k holds only the classes
 * π(k), π(k + 1), ..., π(k + c − 1) (mod C) of a seeded class permutation π, so each client sees c
 * distinct classes and, with K = C, each class lies on exactly c clients. A class's samples are
 * shuffled (seeded) and dealt in contiguous, near-equal parts to the clients holding it, so every
 * sample goes to exactly one client. Returns each client's sample indices, ascending.
 */
export function classSplit(labels: ArrayLike<number>, options: ClassSplitOptions): Int32Array[] {
  const { clients, classesPerClient: c, classes, seed } = options;
  if (!Number.isInteger(classes) || classes < 1) fail('attr', 'classes', 'the number of classes must be an integer >= 1', '>= 1', String(classes));
  if (!Number.isInteger(clients) || clients < 1) fail('attr', 'clients', 'the number of clients must be an integer >= 1', '>= 1', String(clients));
  if (!Number.isInteger(c) || c < 1 || c > classes) fail('attr', 'classesPerClient', 'each client holds between 1 and all of the classes', `1 .. ${classes}`, String(c));
  if (clients * c < classes) fail('attr', 'clients', `${clients} clients of ${c} classes each leave classes with no client, so some samples would be unused`, `clients · classesPerClient >= ${classes}`, String(clients * c));
  const pi = permutation(classes, seed);
  const holders: number[][] = Array.from({ length: classes }, () => []);
  for (let k = 0; k < clients; k++) for (let j = 0; j < c; j++) holders[pi[(k + j) % classes]!]!.push(k);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) fail('feed', `labels[${i}]`, 'a label is not a class index', `an integer in [0, ${classes})`, String(label));
    byClass[label]!.push(i);
  }
  const parts: number[][] = Array.from({ length: clients }, () => []);
  byClass.forEach((members, label) => {
    const order = permutation(members.length, seed + 1 + label);
    const owners = holders[label]!;
    owners.forEach((k, j) => {
      const from = Math.floor((j * members.length) / owners.length);
      const to = Math.floor(((j + 1) * members.length) / owners.length);
      for (let r = from; r < to; r++) parts[k]!.push(members[order[r]!]!);
    });
  });
  return parts.map((part) => Int32Array.from(part).sort());
}
