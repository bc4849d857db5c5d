import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuBackend, SpikeflowError } from '@spikeflow/core';
import { adam } from '@spikeflow/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Trainer } from '../../packages/models/src/trainer/index.js';
import { spikeClassifier, spikeData } from '../../packages/models/test/support/spike-task.js';
import { nodeFs, readCheckpointFile, writeCheckpointFile, type CheckpointFs } from './checkpoint-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spikeflow-ckpt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

/** Node's fs, except that file writes fail after `failAfter` bytes (having written them), or rename fails. */
function failingFs(options: { failAfter?: number; failRename?: boolean }): CheckpointFs {
  return {
    ...nodeFs,
    open: async (path, flags) => {
      const handle = await nodeFs.open(path, flags);
      let written = 0;
      return {
        sync: () => handle.sync(),
        close: () => handle.close(),
        write: async (data, offset, length) => {
          const budget = (options.failAfter ?? Infinity) - written;
          if (budget <= 0) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          const { bytesWritten } = await handle.write(data, offset, Math.min(length, budget));
          written += bytesWritten;
          return { bytesWritten };
        },
      };
    },
    rename: options.failRename ? async () => Promise.reject(new Error('EXDEV: rename failed')) : nodeFs.rename,
  };
}

describe('atomic checkpoint files', () => {
  it('writes, overwrites and reads back, leaving no temporary file', async () => {
    const path = join(dir, 'run.ckpt');
    await writeCheckpointFile(path, bytes(1000, 1));
    await writeCheckpointFile(path, bytes(3000, 2));
    expect(await readCheckpointFile(path)).toEqual(bytes(3000, 2));
    expect(await readdir(dir)).toEqual(['run.ckpt']);
  });

  it('a write that fails midway leaves the old file intact and cleans up', async () => {
    const path = join(dir, 'run.ckpt');
    await writeCheckpointFile(path, bytes(1000, 1));
    await expect(writeCheckpointFile(path, bytes(5000, 2), failingFs({ failAfter: 2500 }))).rejects.toThrow(/ENOSPC/);
    expect(new Uint8Array(await readFile(path))).toEqual(bytes(1000, 1));
    expect(await readdir(dir)).toEqual(['run.ckpt']);
  });

  it('a failed rename leaves the old file intact and cleans up', async () => {
    const path = join(dir, 'run.ckpt');
    await writeCheckpointFile(path, bytes(10, 7));
    await expect(writeCheckpointFile(path, bytes(20, 8), failingFs({ failRename: true }))).rejects.toThrow(/EXDEV/);
    expect(new Uint8Array(await readFile(path))).toEqual(bytes(10, 7));
    expect(await readdir(dir)).toEqual(['run.ckpt']);
  });

  it('a trainer resumes from its file; a torn file is rejected and changes nothing', async () => {
    const options = { backend: cpuBackend(), model: spikeClassifier(), optimizer: adam(), data: spikeData(), schedule: 0.03, seed: 1 };
    const path = join(dir, 'run.ckpt');
    const first = await Trainer.create(options);
    await first.runEpochs(1);
    const saved = await first.checkpoint();
    await writeCheckpointFile(path, saved);
    first.destroy();

    const resumed = await Trainer.create(options);
    await resumed.resume(await readCheckpointFile(path));
    expect(await resumed.checkpoint()).toEqual(saved);

    // A file torn by a non-atomic writer: the loader names the tensor it ends in.
    const fresh = await Trainer.create(options);
    const untouched = await fresh.checkpoint();
    await writeFile(join(dir, 'torn.ckpt'), saved.subarray(0, saved.length - 10));
    const error = await fresh.resume(await readCheckpointFile(join(dir, 'torn.ckpt'))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SpikeflowError);
    expect((error as SpikeflowError).code).toBe('checkpoint');
    expect((error as SpikeflowError).where).toMatch(/^tensors\./);
    expect(await fresh.checkpoint()).toEqual(untouched);
    for (const t of [resumed, fresh]) t.destroy();
  });
});
