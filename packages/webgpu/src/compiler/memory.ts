import type { NodeId } from '@spikeflow/core';
import type { ProgramValue, Step } from './program.js';

/** Reads and writes of each value, by step position, including steps inside loops. */
function lifetimes(steps: readonly Step[]): Map<NodeId, { first: number; last: number }> {
  const spans = new Map<NodeId, { first: number; last: number }>();
  let clock = 0;
  const touch = (id: NodeId, at: number) => {
    const s = spans.get(id);
    if (s === undefined) spans.set(id, { first: at, last: at });
    else s.last = Math.max(s.last, at);
  };
  const walk = (list: readonly Step[]): void => {
    for (const step of list) {
      if (step.kind === 'loop') {
        // A loop is one interval: everything it touches is live for all its iterations.
        const start = clock;
        const inner = new Set<NodeId>();
        const collect = (l: readonly Step[]) =>
          l.forEach((s) => (s.kind === 'loop' ? collect(s.body) : s.kind === 'copy' ? (inner.add(s.from), inner.add(s.to)) : s.args.forEach((a) => inner.add(a))));
        collect(step.body);
        clock++;
        for (const id of inner) {
          touch(id, start);
          touch(id, clock);
        }
      } else {
        const ids = step.kind === 'copy' ? [step.from, step.to] : step.args;
        for (const id of ids) touch(id, clock);
      }
      clock++;
    }
  };
  walk(steps);
  return spans;
}

/**
 * Static buffer planning: temporaries whose lifetimes do not overlap share a slot (best fit by
 * size); everything else gets its own. A slot is released only after the step of its last use,
 * so no kernel reads and writes one buffer.
 */
export function planMemory(values: ReadonlyMap<NodeId, ProgramValue>, steps: readonly Step[]) {
  const spans = lifetimes(steps);
  const slots = new Map<NodeId, number>();
  const slotBytes: number[] = [];
  const free: number[] = [];
  let unsharedBytes = 0;
  let residentBytes = 0;
  for (const v of values.values()) {
    unsharedBytes += v.bytes;
    if (v.role !== 'temp') {
      slots.set(v.id, slotBytes.length);
      slotBytes.push(v.bytes);
      residentBytes += v.bytes;
    }
  }
  const temps = [...values.values()].filter((v) => v.role === 'temp' && spans.has(v.id));
  temps.sort((a, b) => spans.get(a.id)!.first - spans.get(b.id)!.first);
  const releases: { at: number; slot: number }[] = [];
  for (const v of temps) {
    const span = spans.get(v.id)!;
    // Return slots whose last use was strictly before this value's first write.
    for (let k = releases.length - 1; k >= 0; k--) {
      if (releases[k]!.at < span.first) {
        free.push(releases[k]!.slot);
        releases.splice(k, 1);
      }
    }
    let best = -1;
    for (let k = 0; k < free.length; k++) {
      const size = slotBytes[free[k]!]!;
      if (size >= v.bytes && (best < 0 || size < slotBytes[free[best]!]!)) best = k;
    }
    let slot: number;
    if (best >= 0) slot = free.splice(best, 1)[0]!;
    else {
      // Grow the largest free slot rather than adding one, when any is free.
      const grow = free.length > 0 ? free.reduce((m, s, k) => (slotBytes[s]! > slotBytes[free[m]!]! ? k : m), 0) : -1;
      if (grow >= 0) {
        slot = free.splice(grow, 1)[0]!;
        slotBytes[slot] = v.bytes;
      } else {
        slot = slotBytes.length;
        slotBytes.push(v.bytes);
      }
    }
    slots.set(v.id, slot);
    releases.push({ at: span.last, slot });
  }
  const plannedPeakBytes = slotBytes.reduce((s, b) => s + b, 0);
  return { slots, slotBytes, memory: { plannedPeakBytes, unsharedBytes, residentBytes } };
}
