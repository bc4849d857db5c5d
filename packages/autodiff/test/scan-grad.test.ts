import { describe, expect, it } from 'vitest';
import { grad } from '../src/index.js';
import { gradCheck } from './support/grad-check.js';
import {
  captureCase,
  expectSameValues,
  lifCase,
  nestedCase,
  randomFeeds,
  recurrentCase,
  run,
  twoCarryCase,
  type ScanCase,
} from './support/scan-cases.js';

/**
 * BPTT through `scan` checked against the same computation explicitly unrolled (T copies of the
 * body, no scan), whose gradient comes from the per-op rules only. Everything runs in f64, so
 * the two agree to rounding.
 */

function compareWithUnrolled(c: ScanCase): number {
  const scanned = c.build('scan');
  const unrolled = c.build('unrolled');
  expect(Object.values(scanned.nodes).some((n) => n.op === 'scan')).toBe(true);
  expect(Object.values(unrolled.nodes).some((n) => n.op === 'scan')).toBe(false);
  const feeds = randomFeeds(scanned, c.ranges);
  const options = { of: 'loss', wrt: c.wrt };
  const found = run(grad(scanned, options), feeds);
  const expected = run(grad(unrolled, options), feeds);
  const worst = expectSameValues(found, expected, 1e-9);
  // Not vacuous: every gradient has nonzero entries, and spiking cases do spike, but not always.
  for (const name of c.wrt) expect(found[`grad/${name}`]!.some((g) => Math.abs(g) > 1e-6), `grad/${name}`).toBe(true);
  if (found.rate !== undefined) {
    expect(found.rate[0]).toBeGreaterThan(0.05);
    expect(found.rate[0]).toBeLessThan(0.95);
  }
  return worst;
}

describe('scan gradient = gradient of the unrolled graph', () => {
  const cases: ScanCase[] = [
    lifCase(20, { reset: 'hard', detachReset: false }),
    lifCase(20, { reset: 'hard', detachReset: true }),
    lifCase(20, { reset: 'soft', detachReset: false }),
    lifCase(20, { reset: 'soft', detachReset: true }),
    lifCase(100, { reset: 'hard', detachReset: false }),
    lifCase(100, { reset: 'soft', detachReset: true }),
    recurrentCase(20),
    recurrentCase(100),
    recurrentCase(20, true),
    twoCarryCase(30),
    nestedCase(5, 4),
    captureCase(15),
  ];
  for (const c of cases) {
    it(c.name, () => {
      compareWithUnrolled(c);
    });
  }

  it('detachReset changes the LIF gradient (the stopGradient inside the body is honoured)', () => {
    const [attached, detached] = [false, true].map((detachReset) => {
      const c = lifCase(20, { reset: 'hard', detachReset });
      const forward = c.build('scan');
      return run(grad(forward, { of: 'loss', wrt: ['w'] }), randomFeeds(forward, c.ranges))['grad/w']!;
    });
    expect(attached!.some((g, i) => Math.abs(g - detached![i]!) > 1e-6)).toBe(true);
  });

  it('the capturing body really captures: the scan takes W and b as extra consts', () => {
    const scan = Object.values(captureCase(3).build('scan').nodes).find((n) => n.op === 'scan')!;
    // 1 carry + 1 sequence + 2 captured params.
    expect(scan.inputs).toHaveLength(4);
  });
});

describe('scan gradient against finite differences', () => {
  it('a smooth recurrent scan with two carries and a const, wrt the initial carries, sequence and const', () => {
    const T = 6;
    const { maxRelError } = gradCheck(
      (b, [x, w, h0, m0]) => {
        const { carries, outputs } = b.scan({
          carries: [h0!, m0!],
          sequences: [x!],
          consts: [w!],
          body: (_, [h, m], [xt], [wc]) => {
            const next = h!.matmul(wc!).add(xt!).tanh();
            return { carries: [next, m!.mul(0.5).add(next.mul(h!))], outputs: [next.sigmoid()] };
          },
        });
        return outputs[0]!.sum(0).add(carries[1]!).add(carries[0]!.mul(carries[0]!));
      },
      [[T, 2, 3], [3, 3], [2, 3], [2, 3]],
    );
    expect(maxRelError).toBeLessThan(1e-7);
  });
});
