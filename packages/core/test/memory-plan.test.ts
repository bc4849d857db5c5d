// The static buffer plan, by hand: which values share a slot and what the plan allocates.
import { describe, expect, it } from 'vitest';
import { planMemory, type PlannedStep, type PlannedValue } from '../src/index.js';

const temp = (id: string, bytes: number): PlannedValue => ({ id, bytes, role: 'temp' });
const values = (...vs: PlannedValue[]) => new Map(vs.map((v) => [v.id, v]));
const kernel = (...args: string[]): PlannedStep => ({ kind: 'kernel', args });

describe('planMemory', () => {
  // x (resident) -> a; a -> b; b -> y (resident): a and b meet in the middle kernel.
  const vs = values({ id: 'x', bytes: 100, role: 'input' }, temp('a', 400), temp('b', 400), { id: 'y', bytes: 100, role: 'output' });
  const steps = [kernel('x', 'a'), kernel('a', 'b'), kernel('b', 'y')];

  it('never gives a kernel one buffer to read and write unless told it writes in place', () => {
    const { slots, memory } = planMemory(vs, steps);
    expect(slots.get('a')).not.toBe(slots.get('b'));
    expect(memory).toEqual({ plannedPeakBytes: 100 + 400 + 400 + 100, unsharedBytes: 1000, residentBytes: 200 });
  });

  it('gives a value written in place the buffer it overwrites', () => {
    const { slots, memory } = planMemory(vs, steps, new Map([['b', 'a']]));
    expect(slots.get('b')).toBe(slots.get('a'));
    expect(memory.plannedPeakBytes).toBe(100 + 400 + 100);
  });

  it('keeps the overwritten buffer from anything live while either value is (the pair is one lifetime)', () => {
    // c lives from the first kernel to the last, so it may share with neither a nor b.
    const withC = values(...vs.values(), temp('c', 400));
    const { slots } = planMemory(withC, [kernel('x', 'a', 'c'), kernel('a', 'b'), kernel('b', 'c', 'y')], new Map([['b', 'a']]));
    expect(slots.get('c')).not.toBe(slots.get('a'));
  });

  it('places equal sizes longest-lived first, so short values share a slot instead of splitting a gap', () => {
    // A 1000-byte slot (p at step 0, q at step 5) is free over steps 1..4. short: 1..2, long: 2..4,
    // late: 4..5. By first use, short would take the gap, long a slot of 10 and late (meeting long
    // and q) a third; longest first, long takes the gap and short and late share one slot of 10.
    const vs2 = values(temp('p', 1000), temp('q', 1000), temp('short', 10), temp('long', 10), temp('late', 10));
    const plan = planMemory(vs2, [kernel('p'), kernel('short'), kernel('short', 'long'), kernel('long'), kernel('long', 'late'), kernel('late', 'q')]);
    expect(plan.slots.get('long')).toBe(plan.slots.get('p'));
    expect(plan.slots.get('short')).toBe(plan.slots.get('late'));
    expect(plan.memory.plannedPeakBytes).toBe(1000 + 10);
  });

  it('refuses to write a resident value in place', () => {
    expect(() => planMemory(vs, steps, new Map([['y', 'b']]))).toThrow(/y is written in place but is not a temporary/);
  });
});
