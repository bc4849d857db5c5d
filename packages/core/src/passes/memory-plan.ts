import type { NodeId } from '../graph.js';

/**
 * What the memory plan needs of a backend's program: each value's size and whether it is a
 * temporary (everything else lives as long as the compiled program), and the steps that read and
 * write values, loops (a scan's step loop) nested.
 */
export interface PlannedValue {
  readonly id: NodeId;
  readonly bytes: number;
  readonly role: string;
}

export type PlannedStep =
  | { readonly kind: 'loop'; readonly body: readonly PlannedStep[] }
  | { readonly kind: 'copy'; readonly from: NodeId; readonly to: NodeId }
  | { readonly kind: 'kernel'; readonly args: readonly NodeId[] };

type Step = PlannedStep;

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
 * Static buffer planning: temporaries whose lifetimes do not overlap share a slot; everything else
 * gets its own. Temporaries are placed largest first, each into the smallest slot that is big
 * enough and free for its whole lifetime, else into a new slot of its size: a slot's size is set
 * by its first (largest) tenant, so small values never claim a big value's slot at the moment
 * that value needs it. A slot is free only after the step of its tenant's last use, so no kernel
 * reads and writes one buffer.
 */
export function planMemory(values: ReadonlyMap<NodeId, PlannedValue>, steps: readonly PlannedStep[]) {
  const spans = lifetimes(steps);
  const slots = new Map<NodeId, number>();
  const slotBytes: number[] = [];
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
  // Largest first; equal sizes by first use, so the plan does not depend on map order.
  temps.sort((a, b) => b.bytes - a.bytes || spans.get(a.id)!.first - spans.get(b.id)!.first);
  const tenants = new Map<number, { first: number; last: number }[]>();
  const overlaps = (a: { first: number; last: number }, b: { first: number; last: number }) => a.first <= b.last && b.first <= a.last;
  for (const v of temps) {
    const span = spans.get(v.id)!;
    let slot = -1;
    for (const [s, taken] of tenants) {
      if (slotBytes[s]! < v.bytes || taken.some((t) => overlaps(t, span))) continue;
      if (slot < 0 || slotBytes[s]! < slotBytes[slot]!) slot = s;
    }
    if (slot < 0) {
      slot = slotBytes.length;
      slotBytes.push(v.bytes);
      tenants.set(slot, []);
    }
    tenants.get(slot)!.push(span);
    slots.set(v.id, slot);
  }
  const plannedPeakBytes = slotBytes.reduce((s, b) => s + b, 0);
  return { slots, slotBytes, memory: { plannedPeakBytes, unsharedBytes, residentBytes } };
}
