// The trainer of @spikeflow/models (written against core's TrainBackend) on the WebAssembly
// backend: the spike task of the CPU and WebGPU trainer tests, learned, and resumed from a
// checkpoint as the same run.
import { cpuBackend } from '@spikeflow/core';
import { adam } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { Trainer, type TrainerOptions } from '../../models/src/trainer/index.js';
import { expectResumeIdentity } from '../../models/test/support/resume-identity.js';
import { spikeClassifier, spikeData } from '../../models/test/support/spike-task.js';
import { nodeWasmBackend } from '../src/node.js';

const options = (threads: number): TrainerOptions => ({
  backend: nodeWasmBackend({ threads }),
  model: spikeClassifier(),
  optimizer: adam(),
  data: spikeData(),
  schedule: 0.05,
  seed: 3,
  accuracy: { scores: 'scores', labels: 'labels' },
});

describe('the trainer on the WebAssembly backend', () => {
  it('learns the spike task, its first epoch as the CPU run', async () => {
    const wasm = await Trainer.create(options(2));
    const cpu = await Trainer.create({ ...options(1), backend: cpuBackend() });
    const history = await wasm.runEpochs(6);
    const [cpuFirst] = await cpu.runEpochs(1);
    // Last-bit differences only (see backend-train.test.ts): the epoch's mean loss agrees to 1e-6.
    expect(Math.abs(history[0]!.loss - cpuFirst!.loss)).toBeLessThanOrEqual(1e-6);
    expect(history[5]!.loss).toBeLessThan(history[0]!.loss / 3);
    expect(history[5]!.testAccuracy!).toBeGreaterThanOrEqual(0.9); // chance is 1/3
    wasm.destroy();
    cpu.destroy();
  });

  it('resumes a checkpoint as the same run: 1 + 1 epochs give the params and state of 2, bit for bit', async () => {
    const { resumed } = await expectResumeIdentity(options(1));
    resumed.destroy();
  });
});
