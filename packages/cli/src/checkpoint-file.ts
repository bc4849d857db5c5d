/**
 * Checkpoint files in Node: the bytes come from `trainer.checkpoint()` (or `encodeCheckpoint`);
 * this edge only puts them on disk, atomically, so a crash or a full disk never leaves a torn
 * file where a good checkpoint was. The format itself is pure and lives in @spikeflow/models.
 */
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fail } from '@spikeflow/core';

/** The file operations the atomic write uses, injectable so tests can make one fail midway. */
export interface CheckpointFs {
  open(path: string, flags: string): Promise<CheckpointFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  readdir(dir: string): Promise<string[]>;
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
  readdir: (dir) => fsp.readdir(dir),
};

let counter = 0;

/** The temporary file of one write: `.<name>.<pid>.<n>.tmp`, beside the file it will replace. */
function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
}

/** Whether process `pid` runs (signal 0 only asks); EPERM means it runs under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that writers of `path` killed mid-write left behind (a crash skips
 * their cleanup). A temporary file of a process that still runs may be a write in flight, so it
 * stays; so do this process's own.
 */
async function removeStaleTemps(path: string, fs: CheckpointFs): Promise<void> {
  const prefix = `.${basename(path)}.`;
  const names = await fs.readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    const match = name.startsWith(prefix) ? /^(\d+)\.\d+\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || isRunning(pid)) continue;
    await fs.unlink(join(dirname(path), name)).catch(() => undefined); // another writer may have removed it first
  }
}

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
 * Temporary files left by earlier writers that were killed are removed first.
 */
export function writeCheckpointFile(path: string, bytes: Uint8Array, fs: CheckpointFs = nodeFs): Promise<void> {
  return writeFileAtomically(path, bytes, fs);
}

/** `writeCheckpointFile` for any file a reader must see whole or not at all (a run's config, its metrics). */
export async function writeFileAtomically(path: string, bytes: Uint8Array | string, fs: CheckpointFs = nodeFs): Promise<void> {
  if (typeof bytes === 'string') bytes = new TextEncoder().encode(bytes);
  await removeStaleTemps(path, fs);
  const temp = tempPath(path);
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

/** Why a file operation failed, in words (the errno code alone for the rare others). */
const FS_FAILURES: ReadonlyMap<string, string> = new Map([
  ['ENOENT', 'no such file or directory'],
  ['EISDIR', 'it is a directory, not a file'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['EROFS', 'read-only file system'],
  ['ENOSPC', 'no space left on the device'],
  ['EEXIST', 'it already exists'],
  ['ENOTDIR', 'a parent of it is not a directory'],
]);

/** A file system error as a few words for one error line (never its multi-line stack or a raw errno message). */
export function fileErrorReason(error: unknown): string {
  const code = String((error as NodeJS.ErrnoException | undefined)?.code ?? '');
  return FS_FAILURES.get(code) ?? (code || (error instanceof Error ? error.message.split('\n')[0]! : String(error)));
}

/**
 * The bytes of a checkpoint file, for `trainer.resume` (which checks them). A file that cannot be
 * read is a SpikeflowError (code 'checkpoint') naming the path, one line.
 */
export async function readCheckpointFile(path: string, fs: CheckpointFs = nodeFs): Promise<Uint8Array> {
  let data: Uint8Array;
  try {
    data = await fs.readFile(path);
  } catch (error) {
    fail('checkpoint', path, `cannot read the checkpoint file: ${fileErrorReason(error)}`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
