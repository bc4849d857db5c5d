// The three NIR files written by Sinabs and snnTorch (see their README): they sit in `shared/nir`
// beside the repository, found by walking up from it so the tests run from any checkout location.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_NIR_FILES = ['cnn_sinabs.nir', 'braille_noDelay_bias_zero.nir', 'braille_noDelay_noBias_subtract.nir'] as const;

function sharedNirDir(): string {
  let dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  for (;;) {
    const candidate = join(dir, 'shared', 'nir');
    if (existsSync(join(candidate, SHARED_NIR_FILES[0]))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("the shared NIR files (shared/nir/*.nir) are not in any folder above the repository");
    dir = parent;
  }
}

export function sharedNirPath(name: (typeof SHARED_NIR_FILES)[number]): string {
  return join(sharedNirDir(), name);
}

export function readSharedNir(name: (typeof SHARED_NIR_FILES)[number]): Uint8Array {
  return new Uint8Array(readFileSync(sharedNirPath(name)));
}
