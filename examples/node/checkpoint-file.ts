/**
 * Checkpoint files in Node: the bytes come from `trainer.checkpoint()` (or `encodeCheckpoint`);
 * this edge only puts them on disk, atomically, so a crash or a full disk never leaves a torn
 * file where a good checkpoint was. The format itself is pure and lives in @spikeflow/models.
 */
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file operations the atomic write uses, injectable so tests can make one fail midway. */
export interface CheckpointFs {
  open(path: string, flags: string): Promise<CheckpointFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
}

export interface CheckpointFileHandle {
  write(data: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export const nodeFs: CheckpointFs = {
  open: (path, flags) => fsp.open(path, flags),
  rename: fsp.rename,
  unlink: fsp.unlink,
  readFile: fsp.readFile,
};

let counter = 0;

/** Writes every byte; `write` may take fewer than asked. */
async function writeAll(file: CheckpointFileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await file.write(bytes, at, bytes.length - at);
    if (bytesWritten <= 0) throw new Error(`short write: ${at} of ${bytes.length} bytes`);
    at += bytesWritten;
  }
}

/**
 * Writes `bytes` to `path` atomically: into a new temporary file in the same directory (so the
 * rename stays on one file system), flushed to disk, then renamed over `path`. Until the rename
 * the old file is untouched; on any failure the temporary file is removed and the error rethrown.
 */
export async function writeCheckpointFile(path: string, bytes: Uint8Array, fs: CheckpointFs = nodeFs): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  const file = await fs.open(temp, 'wx');
  try {
    try {
      await writeAll(file, bytes);
      await file.sync(); // the data is on disk before the rename makes it visible
    } finally {
      await file.close();
    }
    await fs.rename(temp, path);
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined); // the write's error matters, not the cleanup's
    throw error;
  }
  await syncDirectory(dirname(path), fs);
}

/** Makes the rename itself durable; a platform that cannot open a directory (Windows) skips it. */
async function syncDirectory(dir: string, fs: CheckpointFs): Promise<void> {
  let handle: CheckpointFileHandle;
  try {
    handle = await fs.open(dir, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename has happened either way.
  } finally {
    await handle.close();
  }
}

/** The bytes of a checkpoint file, for `trainer.resume` (which checks them). */
export async function readCheckpointFile(path: string, fs: CheckpointFs = nodeFs): Promise<Uint8Array> {
  const data = await fs.readFile(path);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
