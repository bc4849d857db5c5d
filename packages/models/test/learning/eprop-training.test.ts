import { cpuBackend } from '@spikeflow/core';
import { expect, it } from 'vitest';
import { trainEpropEvidence } from './eprop-evidence-run.js';

// An ALIF network trained by e-prop through the Trainer (no BPTT) learns evidence accumulation on
// the CPU: the held-out loss at least halves and accuracy beats chance (0.5) by 0.25.
it('an ALIF network trained by e-prop learns evidence accumulation', async () => {
  const { before, after } = await trainEpropEvidence(cpuBackend(), 6);
  expect(after.loss).toBeLessThan(before.loss / 2);
  expect(after.accuracy).toBeGreaterThan(0.75);
}, 120_000);
