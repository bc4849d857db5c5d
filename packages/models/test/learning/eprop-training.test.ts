import { expect, it } from 'vitest';
import { trainBackend } from '../../../../test/support/train-backend.js';
import { trainEpropEvidence } from './eprop-evidence-run.js';

// An ALIF network trained by e-prop through the Trainer (no BPTT) learns evidence accumulation on
// the default backend: the held-out loss at least halves and accuracy beats chance (0.5) by 0.25.
it('an ALIF network trained by e-prop learns evidence accumulation', async () => {
  const { before, after } = await trainEpropEvidence(trainBackend(), 6);
  expect(after.loss).toBeLessThan(before.loss / 2);
  expect(after.accuracy).toBeGreaterThan(0.75);
}, 120_000);
