import type { Graph, NodeId } from '../graph.js';

/** Why a value exists; all but `temp` live as long as the compiled program, at a place of their own. */
export type ValueRole = 'input' | 'param' | 'state' | 'constant' | 'output' | 'temp';

/** The role of a graph node's value: its leaf kind, else `output` if an output reads it, else `temp`. */
export function valueRole(graph: Graph, id: NodeId, outputs: ReadonlySet<NodeId>): ValueRole {
  const op = graph.nodes[id]!.op;
  if (op === 'input') return 'input';
  if (op === 'param') return 'param';
  if (op === 'state') return 'state';
  if (op === 'constant') return 'constant';
  return outputs.has(id) ? 'output' : 'temp';
}

/**
 * What the memory plan needs of a backend's program: each value's size and whether it is a
 * temporary (everything else lives as long as the compiled program), and the steps that read and
 * write values, loops (a scan's step loop) nested.
 */
export interface PlannedValue {
  readonly id: NodeId;
  readonly bytes: number;
  readonly role: ValueRole;
}

export type PlannedStep =
  | { readonly kind: 'loop'; readonly body: readonly PlannedStep[] }
  | { readonly kind: 'copy'; readonly from: NodeId; readonly to: NodeId }
  | { readonly kind: 'kernel'; readonly args: readonly NodeId[] };

type Step = PlannedStep;

/**
 * Reads and writes of each value, by step position, including steps inside loops. A value touched
 * both inside a loop and outside it (a sequence it reads, a stacked output, a carry seeded before
 * it) is live for the whole loop, every iteration; a value touched only inside one loop's body is
 * a per-iteration temporary, live from its first to its last touch within the body: the body
 * writes it before reading it at every iteration (carries, the only values an iteration hands to
 * the next, are seeded by a copy before the loop), so body temporaries whose touches do not
 * overlap share a buffer.
 */
export function valueLifetimes(steps: readonly Step[]): Map<NodeId, { first: number; last: number }> {
  const spans = new Map<NodeId, { first: number; last: number }>();
  const loops: { start: number; end: number; inner: Set<NodeId> }[] = [];
  let clock = 0;
  const touch = (id: NodeId, at: number) => {
    const s = spans.get(id);
    if (s === undefined) spans.set(id, { first: at, last: at });
    else s.last = Math.max(s.last, at);
  };
  const walk = (list: readonly Step[], enclosing: readonly Set<NodeId>[]): void => {
    for (const step of list) {
      if (step.kind === 'loop') {
        const loop = { start: clock, end: 0, inner: new Set<NodeId>() };
        clock++;
        walk(step.body, [...enclosing, loop.inner]);
        loop.end = clock;
        loops.push(loop); // inner loops first
      } else {
        const ids = step.kind === 'copy' ? [step.from, step.to] : step.args;
        for (const id of ids) {
          touch(id, clock);
          for (const inner of enclosing) inner.add(id);
        }
      }
      clock++;
    }
  };
  walk(steps, []);
  for (const { start, end, inner } of loops) {
    for (const id of inner) {
      const s = spans.get(id)!;
      if (s.first >= start && s.last <= end) continue;
      s.first = Math.min(s.first, start);
      s.last = Math.max(s.last, end);
    }
  }
  return spans;
}

/**
 * Temporaries that must share one buffer, each with the span of the whole group: `inPlace` maps a
 * value to the value whose buffer a kernel writes it into (it reads element i of that value only
 * to write element i of this one), so the two are one buffer from the first's birth to the
 * second's last use. Chains (a into b into c) make one group.
 */
function inPlaceGroups(temps: readonly PlannedValue[], spans: Map<NodeId, { first: number; last: number }>, inPlace: ReadonlyMap<NodeId, NodeId>) {
  const rootOf = (id: NodeId): NodeId => {
    const into = inPlace.get(id);
    return into === undefined ? id : rootOf(into);
  };
  const groups = new Map<NodeId, { members: NodeId[]; bytes: number; span: { first: number; last: number } }>();
  for (const v of temps) {
    const span = spans.get(v.id)!;
    const root = rootOf(v.id);
    const group = groups.get(root);
    if (group === undefined) groups.set(root, { members: [v.id], bytes: v.bytes, span: { ...span } });
    else {
      group.members.push(v.id);
      group.bytes = Math.max(group.bytes, v.bytes);
      group.span = { first: Math.min(group.span.first, span.first), last: Math.max(group.span.last, span.last) };
    }
  }
  return [...groups.values()];
}

/**
 * Static buffer planning: temporaries whose lifetimes do not overlap share a slot; everything else
 * gets its own. Temporaries are placed largest first, each into the smallest slot that is big
 * enough and free for its whole lifetime, else into a new slot of its size: a slot's size is set
 * by its first (largest) tenant, so small values never claim a big value's slot at the moment
 * that value needs it. A slot is free only after the step of its tenant's last use, so no kernel
 * reads and writes one buffer, except values written in place (`inPlace`, temporaries only),
 * which take the buffer they overwrite.
 */
export function planMemory(values: ReadonlyMap<NodeId, PlannedValue>, steps: readonly PlannedStep[], inPlace: ReadonlyMap<NodeId, NodeId> = new Map()) {
  const spans = valueLifetimes(steps);
  const slots = new Map<NodeId, number>();
  const slotBytes: number[] = [];
  let unsharedBytes = 0;
  let residentBytes = 0;
  for (const v of values.values()) {
    unsharedBytes += v.bytes;
    if (v.role !== 'temp') {
      if (inPlace.has(v.id) || [...inPlace.values()].includes(v.id)) throw new Error(`internal: ${v.id} is written in place but is not a temporary`);
      slots.set(v.id, slotBytes.length);
      slotBytes.push(v.bytes);
      residentBytes += v.bytes;
    }
  }
  const groups = inPlaceGroups([...values.values()].filter((v) => v.role === 'temp' && spans.has(v.id)), spans, inPlace);
  // Largest first; equal sizes longest-lived first (a short one then fills a gap a long one
  // leaves, rather than splitting the gap), then by first use, so the plan does not depend on map order.
  const length = (s: { first: number; last: number }) => s.last - s.first;
  groups.sort((a, b) => b.bytes - a.bytes || length(b.span) - length(a.span) || a.span.first - b.span.first);
  const tenants = new Map<number, { first: number; last: number }[]>();
  const overlaps = (a: { first: number; last: number }, b: { first: number; last: number }) => a.first <= b.last && b.first <= a.last;
  for (const { members, bytes, span } of groups) {
    let slot = -1;
    for (const [s, taken] of tenants) {
      if (slotBytes[s]! < bytes || taken.some((t) => overlaps(t, span))) continue;
      if (slot < 0 || slotBytes[s]! < slotBytes[slot]!) slot = s;
    }
    if (slot < 0) {
      slot = slotBytes.length;
      slotBytes.push(bytes);
      tenants.set(slot, []);
    }
    tenants.get(slot)!.push(span);
    for (const id of members) slots.set(id, slot);
  }
  const plannedPeakBytes = slotBytes.reduce((s, b) => s + b, 0);
  return { slots, slotBytes, memory: { plannedPeakBytes, unsharedBytes, residentBytes } };
}
