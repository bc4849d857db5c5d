// The GPU device lost in the middle of a run (destroyed here, as a driver reset or an unplugged
// GPU would lose it): the CLI ends with one line that says the device was lost and how to resume,
// exit code 1, and the checkpoint it names resumes the run to its end.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCheckpoint, Trainer } from '@spikeflow/models';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli.js';

const devices = vi.hoisted(() => [] as GPUDevice[]);
vi.mock('@spikeflow/webgpu/node', async (importOriginal) => {
  const real = await importOriginal<typeof import('@spikeflow/webgpu/node')>();
  return {
    ...real,
    chooseNodeBackend: async (...args: Parameters<typeof real.chooseNodeBackend>) => {
      const selected = await real.chooseNodeBackend(...args);
      if (selected.kind === 'webgpu') devices.push(selected.ctx.device);
      return selected;
    },
  };
});

const work = await mkdtemp(join(tmpdir(), 'spikeflow-device-loss-'));
afterAll(() => rm(work, { recursive: true, force: true }));

async function inProcess(...args: string[]): Promise<{ code: number; errors: string[] }> {
  const stderr: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => stderr.push(String(chunk)) > 0);
  try {
    const code = await runCli(args);
    return { code, errors: stderr.join('').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Warning: max')) };
  } finally {
    log.mockRestore();
    write.mockRestore();
  }
}

describe.skipIf(process.env.SPIKEFLOW_REQUIRE_WEBGPU !== '1')('a GPU device lost mid-run', () => {
  it('one line naming the loss and the command that resumes; that command finishes the run', async () => {
    const dir = join(work, 'run');
    const runEpochs = Trainer.prototype.runEpochs;
    // Before epoch 2's first step, the device goes.
    const spy = vi.spyOn(Trainer.prototype, 'runEpochs').mockImplementation(async function (this: Trainer, n: number) {
      if (this.epoch === 1) devices[devices.length - 1]!.destroy();
      return runEpochs.call(this, n);
    });
    const small = ['--train-batches', '2', '--test-batches', '1', '--batch', '8'];
    const lost = await inProcess('train', 'evidence', '--epochs', '3', ...small, '--out', dir);
    spy.mockRestore();
    expect(lost.code, lost.errors.join('\n')).toBe(1);
    const last = lost.errors[lost.errors.length - 1]!;
    const resume = `spikeflow train --resume ${join(dir, 'checkpoint.spikeflow')} --epochs 3`;
    expect(last).toMatch(/^spikeflow: the GPU device was lost in epoch 2 \(\[device\] at 'device': the GPU device was destroyed/);
    expect(last.endsWith(`; the checkpoint of epoch 1 is intact: continue with ${resume}`)).toBe(true);
    expect(decodeCheckpoint(await readFile(join(dir, 'checkpoint.spikeflow'))).progress.epoch).toBe(1);

    const resumed = await inProcess(...resume.split(' ').slice(1));
    expect(resumed.code, resumed.errors.join('\n')).toBe(0);
    expect(decodeCheckpoint(await readFile(join(dir, 'checkpoint.spikeflow'))).progress).toMatchObject({ epoch: 3, step: 6 });
  }, 180_000);
});
