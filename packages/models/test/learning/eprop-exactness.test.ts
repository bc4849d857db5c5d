import { describe, expect, it } from 'vitest';
import { COMPARISON_NEURONS, compareWithBptt, cosine, maxRelativeError } from '../../src/learning-checks/bptt-comparison.js';

// With recurrent weights zero, a neuron's spikes depend on a weight only through its own state,
// so e-prop's eligibility is the exact derivative and its update equals the BPTT gradient (same
// surrogate, the reset detached in both). With recurrence, only the direction is compared.

describe('e-prop equals BPTT without recurrence', () => {
  for (const name of ['LIF', 'LIF hard reset', 'ALIF'] as const) {
    for (const readoutDecay of [0, 0.7]) {
      for (const rate of [undefined, { target: 0.1, weight: 0.5 }]) {
        it(`${name}, κ = ${readoutDecay}${rate ? ', rate regulariser' : ''}`, () => {
          const { wrt, bptt, online, pair } = compareWithBptt({ ...COMPARISON_NEURONS[name], readoutDecay, rateRegularization: rate }, { zeroRecurrent: true });
          expect(online.loss!.data[0]).toBeCloseTo(bptt.loss!.data[0]!, 12);
          for (const p of wrt) {
            const { online: update, bptt: exact } = pair(p);
            // A gradient that is all zero would make the comparison empty.
            expect(Math.max(...Array.from(exact, Math.abs)), p).toBeGreaterThan(1e-6);
            const err = maxRelativeError(update, exact);
            console.log(`[eprop exact] ${name} κ=${readoutDecay}${rate ? ' reg' : ''} ${p}: rel err ${err.toExponential(2)}`);
            expect(err, p).toBeLessThan(1e-5);
          }
        });
      }
    }
  }
});

describe('e-prop against BPTT with recurrence', () => {
  for (const name of ['LIF', 'ALIF'] as const) {
    it(`${name}: the updates point the same way as the gradient`, () => {
      const { net, pair } = compareWithBptt({ ...COMPARISON_NEURONS[name], readoutDecay: 0.7 }, { zeroRecurrent: false });
      const input = pair(net.params.input!);
      const recurrent = pair(net.params.recurrent!);
      const readout = pair(net.params.readout!);
      const inIn = cosine(input.online, input.bptt);
      const rec = cosine(recurrent.online, recurrent.bptt);
      // The readout's update is exact in e-prop, recurrence or not.
      expect(maxRelativeError(readout.online, readout.bptt)).toBeLessThan(1e-9);
      console.log(`[eprop cosine] ${name}: input ${inIn.toFixed(4)}, recurrent ${rec.toFixed(4)}`);
      expect(inIn).toBeGreaterThan(0.5);
      expect(rec).toBeGreaterThan(0);
    });
  }
});
