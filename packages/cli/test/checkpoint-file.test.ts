import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuBackend, SpikeflowError } from '@spikeflow/core';
import { adam } from '@spikeflow/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Trainer } from '@spikeflow/models';
import { spikeClassifier, spikeData } from '../../models/test/support/spike-task.js';
import { nodeFs, readCheckpointFile, writeCheckpointFile, type CheckpointFs } from '../src/checkpoint-file.js';

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

  it('the next write removes the temporary files of writers that were killed, and only those', async () => {
    const path = join(dir, 'run.ckpt');
    await writeCheckpointFile(path, bytes(10, 1));
    // A process that has exited: its pid is free (until reused), as a killed writer's is.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    expect(deadPid).toBeGreaterThan(0);
    const stale = [`.run.ckpt.${deadPid}.0.tmp`, `.run.ckpt.${deadPid}.7.tmp`];
    // A live writer's (this process's parent runs) and other files that only look alike stay.
    const kept = [`.run.ckpt.${process.ppid}.3.tmp`, `.other.ckpt.${deadPid}.0.tmp`, `.run.ckpt.${deadPid}.x.tmp`, 'run.ckpt.tmp', 'notes.txt'];
    for (const name of [...stale, ...kept]) await writeFile(join(dir, name), bytes(24, 9));
    await writeCheckpointFile(path, bytes(20, 2));
    expect((await readdir(dir)).sort()).toEqual(['run.ckpt', ...kept].sort());
    expect(new Uint8Array(await readFile(path))).toEqual(bytes(20, 2));
  });

  it('reading a directory, or a missing file, is one line naming the path', async () => {
    const sub = join(dir, 'checkpoint.spikeflow');
    await mkdir(sub);
    for (const [path, why] of [[sub, 'it is a directory'], [join(dir, 'none.spikeflow'), 'no such file or directory']] as const) {
      const error = await readCheckpointFile(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SpikeflowError);
      expect((error as SpikeflowError).code).toBe('checkpoint');
      expect((error as SpikeflowError).where).toBe(path);
      expect((error as SpikeflowError).message).toContain(why);
      expect((error as SpikeflowError).message.split('\n')).toHaveLength(1);
    }
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
