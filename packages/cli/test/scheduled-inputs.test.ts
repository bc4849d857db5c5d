// A model with a scheduled input (a masked PSN's λ) trains through the CLI, its raster is drawn and
// eval scores its checkpoint; an input that no run feeds is refused before any file is written.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from './in-process.js';
import { expectFedInputs } from '../src/model-check.js';
import { UsageError } from '../src/usage-error.js';

const work = await mkdtemp(join(tmpdir(), 'spikeflow-scheduled-'));
afterAll(() => rm(work, { recursive: true, force: true }));

// Evidence accumulation: T = 56 steps of 16 inputs, 2 classes.
const MASKED_PSN_CONFIG = {
  task: 'evidence',
  epochs: 2,
  batch: 8,
  trainBatches: 2,
  testBatches: 1,
  model: {
    kind: 'sequential',
    layers: [
      { kind: 'linear', in: 16, out: 8, initScale: 4 },
      { kind: 'maskedPsn', T: 56, k: 4 },
      { kind: 'linear', in: 8, out: 2 },
      { kind: 'li', tau: 10 },
    ],
  },
};

describe('scheduled inputs through the CLI', () => {
  it("a masked PSN config trains (the trainer feeds its λ), draws its raster, and eval scores the checkpoint", async () => {
    const config = join(work, 'masked-psn.json');
    const dir = join(work, 'run');
    await writeFile(config, JSON.stringify(MASKED_PSN_CONFIG));
    const trained = await inProcess('train', config, '--out', dir);
    expect(trained.code, trained.errors.join('\n')).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.spikeflow', 'curves.png', 'curves.svg', 'metrics.jsonl', 'raster.png', 'raster.svg', 'run.json']);
    const metrics = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; loss: number; testAccuracy: number });
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    for (const m of metrics) expect(Number.isFinite(m.loss) && m.testAccuracy >= 0 && m.testAccuracy <= 1).toBe(true);
    expect(await readFile(join(dir, 'raster.svg'), 'utf8')).toMatch(/maskedPsn1: 8 units/);
    const evaluated = await inProcess('eval', join(dir, 'checkpoint.spikeflow'));
    expect(evaluated.code, evaluated.errors.join('\n')).toBe(0);
    // The same params and held-out batch as the run's last epoch, with λ of its last epoch: the same accuracy.
    expect(JSON.parse(evaluated.stdout.trim())).toMatchObject({ epoch: 2, testAccuracy: metrics[1]!.testAccuracy });
    // λ is scheduled over the planned 2 epochs: resuming with another plan would move it mid-run.
    const before = await readFile(join(dir, 'checkpoint.spikeflow'));
    const resumed = await inProcess('train', '--resume', join(dir, 'checkpoint.spikeflow'), '--epochs', '40');
    expect(resumed.code).toBe(2);
    expect(resumed.errors).toEqual([expect.stringMatching(/--epochs: the model's 'maskedPsn1\/lambda' is a masked PSN's λ, scheduled over the run's planned 2 epochs/)]);
    expect(await readFile(join(dir, 'checkpoint.spikeflow'))).toEqual(before);
    expect(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'))).toMatchObject({ epochs: 2 });
  }, 240_000);

  it('an input that no run feeds is one usage error naming the layer that declares it', () => {
    // A layer names its inputs under its scope itself, as the masked PSN does.
    const graph = trace((b) => ({ y: b.input('x', [2]).add(b.input('gain1/gain', [2])) }));
    expect(() => expectFedInputs(graph, ['linear', 'gain'])).toThrow(UsageError);
    expect(() => expectFedInputs(graph, ['linear', 'gain'])).toThrow(/^model\.layers\[1\] \(gain\): declares the input 'gain1\/gain', which a run does not feed/);
    const fed = trace((b) => ({ y: b.input('x', [2]).add(b.input('psn1/lambda', [])).add(b.input('training', [])) }));
    expect(() => expectFedInputs(fed, ['linear', 'psn'])).not.toThrow();
  });
});
