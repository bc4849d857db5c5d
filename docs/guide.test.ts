// The guides' code is real code: the markdown shows a module's region byte for byte, and the
// module trains on the CPU interpreter and (when there is a device) on WebGPU.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from '../packages/webgpu/test/node-device.js';
import { trainOwnNeuron } from './guides/own-neuron.js';

const acquired = await tryNodeDevice();

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

/** The text strictly between two marker lines. */
function between(text: string, begin: string, end: string): string {
  const start = text.indexOf(`${begin}\n`);
  const stop = text.indexOf(`${end}\n`, start);
  if (start < 0 || stop < 0) throw new Error(`markers '${begin}' / '${end}' not found`);
  return text.slice(start + begin.length + 1, stop);
}

/** The loss fell: the mean of the last 5 steps is under half the first. */
function expectLearned(losses: readonly number[]): void {
  expect(losses.every(Number.isFinite)).toBe(true);
  const last = losses.slice(-5).reduce((a, v) => a + v, 0) / 5;
  expect(last).toBeLessThan(losses[0]! / 2);
}

describe('guide: write your own neuron', () => {
  it("shows own-neuron.ts's code verbatim", () => {
    const source = between(read('./guides/own-neuron.ts'), '// #region guide', '// #endregion guide');
    const shown = between(read('./guides/write-your-own-neuron.md'), '<!-- code: own-neuron.ts -->\n```ts', '```\n<!-- end code -->');
    expect(shown).toBe(source);
  });

  it('trains on the CPU interpreter', async () => {
    const { losses, dispatches } = await trainOwnNeuron();
    expect(dispatches).toBeUndefined();
    expectLearned(losses);
  });

  describe('on WebGPU', () => {
    afterAll(() => {
      if ('ctx' in acquired) acquired.ctx.device.destroy();
    });

    it.skipIf(skipWithoutDevice(acquired, 'the guide on WebGPU'))('trains, with one fused dispatch forward and one backward', async () => {
      const { losses, dispatches } = await trainOwnNeuron(deviceOf(acquired).device);
      // The forward graph's scan; the train step's forward scan and its reverse-time (BPTT) scan.
      expect(dispatches).toEqual({ forward: [1], train: [1, 1] });
      expectLearned(losses);
    });
  });
});
