// The short RFLO learning checks on WebGPU (dawn.node), the same bars as the CPU version
// (models/test/learning/rflo-training.test.ts): on the binary additive task (floors 0.662 knowing
// nothing, 0.519 knowing x_{t−5}) RFLO with random feedback gets under 0.60 in 150 steps; with the
// readout frozen at its init, the hidden updates alone (B = W_out) get under 0.62, so they carry
// the x_{t−5} dependency into a readout that cannot learn it.
import { afterAll, describe, expect, it } from 'vitest';
import { binaryAdditive } from '@spikeflow/models';
import { webgpuBackend } from '../src/index.js';
import { trainRfloBinaryAdditive } from '../../models/test/learning/rflo-binary-additive-run.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU RFLO training check');
const nothing = binaryAdditive().optimalLosses().none;

describe.skipIf(skip)('RFLO training on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('a rate RNN trained by RFLO (random feedback) learns part of the first lag', async () => {
    const { before, after } = await trainRfloBinaryAdditive(webgpuBackend(deviceOf(acquired).device), { feedback: { kind: 'random', seed: 1 }, frozenReadout: false, steps: 150, lr: 0.003 });
    expect(before).toBeGreaterThan(nothing);
    expect(after).toBeLessThan(0.6);
  });

  it('with the readout frozen, the hidden updates alone get below the know-nothing floor', async () => {
    const { before, after } = await trainRfloBinaryAdditive(webgpuBackend(deviceOf(acquired).device), { feedback: { kind: 'symmetric' }, frozenReadout: true, steps: 50, lr: 0.01 });
    expect(before).toBeGreaterThan(nothing);
    expect(after).toBeLessThan(nothing - 0.04);
  });
});
