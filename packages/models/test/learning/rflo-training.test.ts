import { binaryAdditive } from '@spikeflow/models';
import { expect, it } from 'vitest';
import { trainBackend } from '../../../../test/support/train-backend.js';
import { trainRfloBinaryAdditive } from './rflo-binary-additive-run.js';

// RFLO through the Trainer on the binary additive task, on the default backend (floors 0.662
// knowing nothing, 0.519 knowing x_{t−5}). The readout alone also gets under 0.60, so the second check freezes it: the
// hidden updates alone (B = W_out) must then carry x_{t−5} into the fixed readout, 0.04 under the
// know-nothing floor. (With random B and a frozen readout RFLO stays near 0.66: its feedback only
// aligns through a readout that learns.) The same checks run on WebGPU (rflo-training.node.test.ts).
const nothing = binaryAdditive().optimalLosses().none;
const backend = trainBackend();

it('a rate RNN trained by RFLO (random feedback) learns part of the first lag', async () => {
  const { before, after } = await trainRfloBinaryAdditive(backend, { feedback: { kind: 'random', seed: 1 }, frozenReadout: false, steps: 150, lr: 0.003 });
  expect(before).toBeGreaterThan(nothing);
  expect(after).toBeLessThan(0.6);
}, 120_000);

it('with the readout frozen, the hidden updates alone get below the know-nothing floor', async () => {
  const { before, after } = await trainRfloBinaryAdditive(backend, { feedback: { kind: 'symmetric' }, frozenReadout: true, steps: 50, lr: 0.01 });
  expect(before).toBeGreaterThan(nothing);
  expect(after).toBeLessThan(nothing - 0.04);
}, 120_000);
