// The short e-prop learning check on WebGPU (dawn.node): an ALIF network trained by e-prop through
// the Trainer (no BPTT) learns evidence accumulation; the same bars as the CPU version: the
// held-out loss at least halves and accuracy beats chance (0.5) by 0.25.
import { afterAll, describe, expect, it } from 'vitest';
import { webgpuBackend } from '../src/index.js';
import { trainEpropEvidence } from '../../models/test/learning/eprop-evidence-run.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU e-prop training check');

describe.skipIf(skip)('e-prop training on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('an ALIF network trained by e-prop learns evidence accumulation', async () => {
    const { before, after } = await trainEpropEvidence(webgpuBackend(deviceOf(acquired).device), 6);
    expect(after.loss).toBeLessThan(before.loss / 2);
    expect(after.accuracy).toBeGreaterThan(0.75);
  });
});
