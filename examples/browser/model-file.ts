// A model file dropped or picked in the page is one of three kinds, told by its first bytes, not
// its name: a checkpoint (the whole training state), a NIR file (architecture and weights) or a
// sequential spec JSON (architecture only).

export type ModelFileKind = 'checkpoint' | 'nir' | 'spec';

const CHECKPOINT_MAGIC = 'SPKFCKPT';
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const UTF8_BOM = [0xef, 0xbb, 0xbf];
/** JSON's white space: space, tab, line feed, carriage return. */
const JSON_SPACE = [0x20, 0x09, 0x0a, 0x0d];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean => prefix.every((b, k) => bytes[k] === b);

/** The kind of a model file, or one line naming the file and what it starts with. */
export function modelFileKind(bytes: Uint8Array, file: string): ModelFileKind {
  if (startsWith(bytes, Array.from(CHECKPOINT_MAGIC, (c) => c.charCodeAt(0)))) return 'checkpoint';
  if (startsWith(bytes, HDF5_SIGNATURE)) return 'nir';
  // A JSON object, after any UTF-8 byte-order mark and white space.
  const start = startsWith(bytes, UTF8_BOM) ? UTF8_BOM.length : 0;
  const first = bytes.findIndex((b, k) => k >= start && !JSON_SPACE.includes(b));
  if (first >= 0 && bytes[first] === 0x7b) return 'spec';
  throw new Error(`${file}: not a model file: a checkpoint starts with "${CHECKPOINT_MAGIC}", a NIR file with the HDF5 signature, a spec JSON with "{"`);
}
