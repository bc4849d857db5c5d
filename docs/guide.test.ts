// The guides' code is real code: the markdown shows a module's region byte for byte, and the
// module trains on the CPU interpreter and (when there is a device) on WebGPU.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuBackend } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../packages/cli/test/in-process.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from '../packages/webgpu/test/node-device.js';
import { exportToNir } from './guides/export-nir.js';
import { trainFirstSnn } from './guides/first-snn.js';
import { eventTableCsv, trainOnFile } from './guides/own-data.js';
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

/** The page shows the module's guide region byte for byte. */
function expectShownVerbatim(page: string, module: string): void {
  const source = between(read(`./guides/${module}`), '// #region guide', '// #endregion guide');
  const shown = between(read(`./guides/${page}`), `<!-- code: ${module} -->\n\`\`\`ts`, '```\n<!-- end code -->');
  expect(shown).toBe(source);
}

/** The tutorial path, in order: each page links the next, and the index and README link the first. */
const TUTORIAL = ['train-your-first-snn.md', 'write-your-own-neuron.md', 'use-your-own-data.md', 'export-to-nir.md'];

describe('tutorial path', () => {
  it('every page shows the whole path and links the next page; docs/README.md and README.md link the first', () => {
    for (const [i, page] of TUTORIAL.entries()) {
      const text = read(`./guides/${page}`);
      for (const other of TUTORIAL) if (other !== page) expect(text, page).toContain(`](${other})`);
      if (i + 1 < TUTORIAL.length) expect(text, page).toMatch(new RegExp(`^Next: \\[[^\\]]+\\]\\(${TUTORIAL[i + 1]!.replace('.', '\\.')}\\)`, 'm'));
    }
    expect(read('./README.md')).toContain('](guides/train-your-first-snn.md)');
    expect(read('../README.md')).toContain('](docs/guides/train-your-first-snn.md)');
  });
});

describe('guide: train your first SNN', () => {
  it("shows first-snn.ts's code verbatim", () => expectShownVerbatim('train-your-first-snn.md', 'first-snn.ts'));

  it('learns evidence accumulation on the CPU interpreter: held-out accuracy at least 0.8 (chance 0.5)', async () => {
    const history = await trainFirstSnn(cpuBackend());
    expect(history.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(history[2]!.testAccuracy!).toBeGreaterThanOrEqual(0.8);
    expect(history[2]!.loss).toBeLessThan(history[0]!.loss);
  }, 120_000);
});

describe('guide: use your own data', () => {
  it("shows own-data.ts's code verbatim", () => expectShownVerbatim('use-your-own-data.md', 'own-data.ts'));

  it('the event table it writes trains the default classifier to at least 0.9 held-out accuracy (chance 0.5)', async () => {
    const csv = eventTableCsv();
    expect(csv.split('\n')[0]).toBe('sample,label,t,channel');
    const history = await trainOnFile(new TextEncoder().encode(csv), 'events.csv', cpuBackend());
    expect(history[2]!.testAccuracy!).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it("the page's `pnpm cli inspect events.csv` reads the file: 16 steps of 8 channels, 2 classes", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spikeflow-guide-'));
    try {
      const file = join(dir, 'events.csv');
      await writeFile(file, eventTableCsv());
      const { code, stdout, errors } = await inProcess('inspect', file);
      expect(code, errors.join('\n')).toBe(0);
      expect(stdout).toMatch(/T = 16, 8 inputs, 2 classes/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('guide: export to NIR', () => {
  it("shows export-nir.ts's code verbatim", () => expectShownVerbatim('export-to-nir.md', 'export-nir.ts'));

  it('the NIR file read back gives bit-identical readout values at every step', async () => {
    const { bytes, ours, theirs } = await exportToNir();
    expect(Array.from(bytes.slice(1, 4), (c) => String.fromCharCode(c)).join('')).toBe('HDF'); // HDF5's signature
    expect(ours).toHaveLength(30 * 2); // T = 30 steps, 2 classes
    expect(new Set(ours).size).toBeGreaterThan(2); // the readout moves: the comparison is not of constants
    expect(theirs).toEqual(ours);
  });
});

describe('guide: write your own neuron', () => {
  it("shows own-neuron.ts's code verbatim", () => expectShownVerbatim('write-your-own-neuron.md', 'own-neuron.ts'));

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
