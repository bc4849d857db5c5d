import { SpikeflowError } from '@spikeflow/core';
import h5wasm, { File, type Group } from 'h5wasm';
import type { NirLocation } from './nir-location.js';

/**
 * HDF5 bytes in and out through h5wasm's default ESM build: its WebAssembly is embedded, and files
 * live in its in-memory Emscripten file system, so the same code runs in Node, Deno and browsers
 * without touching a real file system. A file exists there only for the duration of one call.
 */

/** HDF5's format signature; it sits at byte 0 or, after a user block, at 512, 1024, 2048, ... */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function hasHdf5Signature(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + HDF5_SIGNATURE.length <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[offset + i] === b)) return true;
  }
  return false;
}

let nextFileNumber = 0;

/** A path in the in-memory file system that no other call of this module uses. */
function scratchPath(): string {
  nextFileNumber += 1;
  return `/spikeflow-nir-${nextFileNumber}.h5`;
}

type H5Module = Awaited<typeof h5wasm.ready>;

/**
 * Runs `body` with HDF5's errors thrown as JavaScript errors (h5wasm's optional handler) instead of
 * printed to the console, and turns any error that is not already a SpikeflowError into one naming
 * `where`. The handler is switched back afterwards, so other users of h5wasm see its default.
 */
function withHdf5Errors<T>(module: H5Module, where: NirLocation, doing: string, body: () => T): T {
  module.activate_throwing_error_handler();
  try {
    return body();
  } catch (error) {
    if (error instanceof SpikeflowError) throw error;
    return where.fail('schema', `HDF5 could not ${doing}: ${hdf5Reason(error)}`);
  } finally {
    module.deactivate_throwing_error_handler();
  }
}

/**
 * The innermost reason of an HDF5 error stack (`file signature not found`, `truncated file: ...`);
 * the stack's earlier lines name C source files of the library, which mean nothing to a user.
 */
export function hdf5Reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const reasons = [...text.matchAll(/#\d+: .* in [\w.]+\(\): (.*)$/gm)].map((m) => m[1]!.trim());
  return reasons.length > 0 ? reasons[reasons.length - 1]! : text.split('\n')[0]!;
}

/** Opens `bytes` as an HDF5 file, read-only, and hands its root group to `read`. */
export async function readHdf5<T>(bytes: Uint8Array, where: NirLocation, read: (root: Group) => T): Promise<T> {
  if (!hasHdf5Signature(bytes)) {
    where.fail('schema', 'not an HDF5 file (NIR files are HDF5)', 'the HDF5 signature \\x89HDF\\r\\n\\x1a\\n at byte 0', `${bytes.length} bytes without it`);
  }
  const module = await h5wasm.ready;
  const path = scratchPath();
  module.FS.writeFile(path, bytes);
  try {
    return withHdf5Errors(module, where, 'read the file', () => {
      const file = new File(path, 'r');
      try {
        return read(file);
      } finally {
        file.close();
      }
    });
  } finally {
    module.FS.unlink(path);
  }
}

/** Creates an HDF5 file, lets `write` fill its root group, and returns the file's bytes. */
export async function writeHdf5(where: NirLocation, write: (root: Group) => void): Promise<Uint8Array> {
  const module = await h5wasm.ready;
  const path = scratchPath();
  try {
    withHdf5Errors(module, where, 'write the file', () => {
      const file = new File(path, 'w');
      try {
        write(file);
      } finally {
        file.close();
      }
    });
    return module.FS.readFile(path);
  } finally {
    if (module.FS.analyzePath(path).exists) module.FS.unlink(path);
  }
}
