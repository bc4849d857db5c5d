// CI short version of the exact-gradients experiment: the gated QIF network, trained with the exact
// gradient of its discrete dynamics on the default backend, on a short delayed XOR (delay 20 steps =
// 2 τ_s). Its validation loss starts at chance (ln 2 ≈ 0.693) and must fall below FACTOR of it.
import { expect, it } from 'vitest';
import { trainBackend } from '../../test/support/train-backend.js';
import { trainDelayedXor } from './exact-gradients-training.js';

const FACTOR = 0.7;

it('the gated QIF network learns a short delayed XOR with exact gradients (validation loss falls by a factor 0.7)', async () => {
  const outcome = await trainDelayedXor(
    trainBackend(),
    {
      neuron: 'gatedQif',
      task: { pulseSteps: 5, delaySteps: 20, waitSteps: 5, answerSteps: 5 },
      inputRate: 0.5,
      hidden: 16,
      inputScale: 2,
      recurrentScale: 1,
      batch: 16,
      epochs: 12,
      stepsPerEpoch: 10,
      lr: 0.03,
      validationBatches: 2,
      testBatches: 2,
      seed: 1,
    },
    (line) => console.log(`exact-gradients (short): ${line}`),
  );
  const best = outcome.curve.find((p) => p.epoch === outcome.chosenEpoch)!;
  console.log(`exact-gradients (short): validation loss ${outcome.initial.validationLoss.toFixed(4)} -> ${best.validationLoss.toFixed(4)}, held-out accuracy ${outcome.test.accuracy}`);
  expect(outcome.initial.validationLoss).toBeGreaterThan(0.65);
  expect(best.validationLoss).toBeLessThan(FACTOR * outcome.initial.validationLoss);
}, 120_000);
