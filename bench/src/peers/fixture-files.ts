import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Arrays passed between the harness and a peer's process as files: one raw little-endian `.bin`
 * per array and `arrays.json` naming each one's dtype and shape. Fixtures go one way (every
 * implementation reads the very same numbers, the Python peer included); the agreement check's
 * gradients come back the same way.
 */
export type ArrayDtype = 'float32' | 'int32';

export interface ArrayEntry {
  readonly dtype: ArrayDtype;
  readonly shape: readonly number[];
}

export type NamedArrays = Readonly<Record<string, Float32Array | Int32Array>>;

const INDEX_FILE = 'arrays.json';
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Writes `arrays` (with their shapes) into `dir`, created if needed. */
export function writeArrays(dir: string, arrays: NamedArrays, shapes: Readonly<Record<string, readonly number[]>>): void {
  mkdirSync(dir, { recursive: true });
  const index: Record<string, ArrayEntry> = {};
  for (const [name, data] of Object.entries(arrays)) {
    if (!NAME.test(name)) throw new Error(`array name ${JSON.stringify(name)} is not a plain identifier`);
    const shape = shapes[name] ?? [data.length];
    if (shape.reduce((n, d) => n * d, 1) !== data.length) throw new Error(`array ${name}: shape [${shape.join(', ')}] does not hold ${data.length} values`);
    index[name] = { dtype: data instanceof Int32Array ? 'int32' : 'float32', shape };
    writeFileSync(path.join(dir, `${name}.bin`), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  writeFileSync(path.join(dir, INDEX_FILE), JSON.stringify(index) + '\n');
}

/** Reads what writeArrays wrote (or a peer wrote the same way); every size is checked against its shape. */
export function readArrays(dir: string): Map<string, { readonly entry: ArrayEntry; readonly data: Float32Array | Int32Array }> {
  const indexFile = path.join(dir, INDEX_FILE);
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as unknown;
  if (typeof index !== 'object' || index === null || Array.isArray(index)) throw new Error(`${indexFile}: expected an object of arrays`);
  const out = new Map<string, { entry: ArrayEntry; data: Float32Array | Int32Array }>();
  for (const name of Object.keys(index)) {
    const entry = (index as Record<string, unknown>)[name] as Partial<ArrayEntry> | null;
    const { dtype, shape } = entry ?? {};
    if (!NAME.test(name) || (dtype !== 'float32' && dtype !== 'int32') || !Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${indexFile}: array ${JSON.stringify(name)} needs a dtype (float32 or int32) and a shape of whole numbers`);
    }
    const bytes = readFileSync(path.join(dir, `${name}.bin`));
    const count = shape.reduce((n: number, d: number) => n * d, 1);
    if (bytes.byteLength !== 4 * count) throw new Error(`${path.join(dir, `${name}.bin`)}: ${bytes.byteLength} bytes, expected ${4 * count} for shape [${shape.join(', ')}]`);
    // A copy into an aligned buffer of its own (a Buffer may sit at any offset of a shared pool).
    const buffer = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(buffer).set(bytes);
    out.set(name, { entry: { dtype, shape }, data: dtype === 'int32' ? new Int32Array(buffer) : new Float32Array(buffer) });
  }
  return out;
}

/** One array of a read set, of the expected dtype, or one error line naming it. */
export function arrayOf(arrays: ReturnType<typeof readArrays>, name: string, dtype: 'float32', where: string): Float32Array<ArrayBuffer>;
export function arrayOf(arrays: ReturnType<typeof readArrays>, name: string, dtype: 'int32', where: string): Int32Array<ArrayBuffer>;
export function arrayOf(arrays: ReturnType<typeof readArrays>, name: string, dtype: ArrayDtype, where: string): Float32Array | Int32Array {
  const found = arrays.get(name);
  if (!found) throw new Error(`${where}: array ${name} is missing`);
  if (found.entry.dtype !== dtype) throw new Error(`${where}: array ${name} is ${found.entry.dtype}, expected ${dtype}`);
  return found.data;
}
