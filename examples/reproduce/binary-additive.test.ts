// CI short version of the binary-additive experiment: RFLO on the default backend for a short
// budget. The untrained network scores about the 0.662 floor (knowing nothing) or worse; below
// 0.60 it must have picked up part of the x_{t−5} dependency.
import { binaryAdditive } from '@spikeflow/models';
import { expect, it } from 'vitest';
import { trainBackend } from '../../test/support/train-backend.js';
import { trainBinaryAdditive } from './binary-additive-training.js';

const BAR = 0.6;

it('a rate RNN trained online by RFLO learns part of the first lag of the binary additive task', async () => {
  const outcome = await trainBinaryAdditive(
    trainBackend(),
    { learner: 'rflo', steps: 50, hidden: 32, batch: 16, alpha: 1, recurrentScale: 1, epochs: 2, stepsPerEpoch: 100, lr: 0.003, validationBatches: 4, testBatches: 8, seed: 1 },
    (line) => console.log(`binary-additive (short): ${line}`),
  );
  console.log(`binary-additive (short): held-out loss ${outcome.initialLoss.toFixed(3)} -> ${outcome.heldOutLoss.toFixed(3)} (floors ${Object.values(binaryAdditive().optimalLosses()).map((v) => v.toFixed(3)).join(', ')})`);
  expect(outcome.initialLoss).toBeGreaterThan(binaryAdditive().optimalLosses().none);
  expect(outcome.heldOutLoss).toBeLessThan(BAR);
}, 300_000);
