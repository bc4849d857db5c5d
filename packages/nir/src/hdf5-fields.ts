import { Dataset, Group, type Metadata } from 'h5wasm';
import type { NirArray } from './nir-graph.js';
import type { NirBudget } from './nir-limits.js';
import type { NirLocation } from './nir-location.js';

/**
 * Typed reads of one HDF5 group of a NIR file (a node, its `nodes` group, or a nested group),
 * each checked for kind, dtype and rank, named by its location on failure. Every member read is
 * remembered, so `expectAllRead` can refuse a member that no reader asked for: a field spikeflow
 * does not know might change what the node computes, and ignoring it would import a different
 * network without a word.
 */

// HDF5's datatype classes (H5T_class_t), as h5wasm reports them in `Metadata.type`.
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;

function describe(meta: Metadata): string {
  const order = meta.littleEndian ? 'little-endian' : 'big-endian';
  if (meta.type === H5T_INTEGER) return `${meta.size * 8}-bit ${meta.signed ? 'signed' : 'unsigned'} integers`;
  if (meta.type === H5T_FLOAT) return `${meta.size * 8}-bit ${order} floats`;
  if (meta.type === H5T_STRING) return 'strings';
  return `HDF5 datatype class ${meta.type}`;
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class NirFieldReader {
  /** Member names in the file's order, and as a Set: a name like `__proto__` is just a string. */
  private readonly members: readonly string[];
  private readonly memberSet: ReadonlySet<string>;
  private readonly read = new Set<string>();

  constructor(private readonly h5: Group, readonly at: NirLocation, private readonly budget: NirBudget) {
    this.members = h5.keys();
    this.memberSet = new Set(this.members);
  }

  names(): readonly string[] {
    return this.members;
  }

  has(name: string): boolean {
    return this.memberSet.has(name);
  }

  /** Marks a member as understood without reading it (metadata NIR keeps but spikeflow does not). */
  skip(name: string): void {
    this.read.add(name);
  }

  /** Refuses the first member that no read or skip asked for. */
  expectAllRead(): void {
    const unread = this.members.find((name) => !this.read.has(name));
    if (unread !== undefined) {
      this.at.child(unread).fail('schema', `unknown field '${unread}' for this node`, `only the fields NIR defines for it`);
    }
  }

  group(name: string): NirFieldReader {
    const entry = this.entry(name);
    if (!(entry instanceof Group)) return this.at.child(name).fail('schema', `'${name}' must be an HDF5 group`, 'a group', 'a dataset');
    return new NirFieldReader(entry, this.at.child(name), this.budget);
  }

  isGroup(name: string): boolean {
    return this.has(name) && this.h5.get(name) instanceof Group;
  }

  string(name: string): string {
    const { dataset, meta, at } = this.dataset(name, 'a string');
    if (meta.type !== H5T_STRING) at.fail('dtype', `'${name}' must be a string`, 'a string', describe(meta));
    if (meta.shape!.length !== 0) at.fail('shape', `'${name}' must be a single string`, 'shape []', formatShape(meta.shape!));
    const value = dataset.value;
    if (typeof value !== 'string') return at.fail('dtype', `'${name}' must be a string`, 'a string', typeof value);
    return value;
  }

  /** A string dataset of any shape, row-major, with its shape. */
  strings(name: string): { shape: readonly number[]; values: readonly string[] } {
    const { dataset, meta, at } = this.dataset(name, 'strings');
    if (meta.type !== H5T_STRING) at.fail('dtype', `'${name}' must hold strings`, 'strings', describe(meta));
    const shape = meta.shape!;
    this.budget.takeElements(elementCount(shape), at);
    const raw = dataset.value;
    const values = shape.length === 0 ? [raw] : Array.isArray(raw) ? raw : [];
    if (values.length !== elementCount(shape) || !values.every((v) => typeof v === 'string')) {
      at.fail('dtype', `'${name}' must hold strings`, `${elementCount(shape)} strings`, 'other values');
    }
    return { shape, values: values as string[] };
  }

  /** A float32 or float64 array, kept in its file dtype so a rewrite holds the same bits. */
  floatArray(name: string): NirArray {
    const { dataset, meta, at } = this.dataset(name, 'a float32 or float64 array');
    if (meta.type !== H5T_FLOAT || !meta.littleEndian || (meta.size !== 4 && meta.size !== 8)) {
      at.fail('dtype', `'${name}' must be a float array`, 'little-endian float32 or float64', describe(meta));
    }
    const shape = meta.shape!;
    this.budget.takeElements(elementCount(shape), at);
    const value = dataset.value;
    if (meta.size === 4) {
      const data = value instanceof Float32Array ? value : Float32Array.of(Number(value));
      return { dtype: 'float32', shape, data };
    }
    const data = value instanceof Float64Array ? value : Float64Array.of(Number(value));
    return { dtype: 'float64', shape, data };
  }

  optionalFloatArray(name: string): NirArray | undefined {
    return this.has(name) ? this.floatArray(name) : undefined;
  }

  /**
   * Integers of any shape, row-major. NIR writes int64; any integer dtype is taken, and so are
   * floats that hold whole numbers (a writer may store `2.0` for a stride), but `1.5` is refused.
   */
  integers(name: string): { shape: readonly number[]; values: number[]; at: NirLocation } {
    const { dataset, meta, at } = this.dataset(name, 'integers');
    if (meta.type !== H5T_INTEGER && meta.type !== H5T_FLOAT) at.fail('dtype', `'${name}' must hold integers`, 'integers', describe(meta));
    const shape = meta.shape!;
    this.budget.takeElements(elementCount(shape), at);
    const raw = dataset.value;
    const items = ArrayBuffer.isView(raw) ? Array.from(raw as unknown as ArrayLike<number | bigint>) : [raw as number | bigint];
    const values: number[] = [];
    for (const v of items) {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || (typeof v === 'bigint' && BigInt(n) !== v)) {
        at.fail('attr', `'${name}' must hold integers`, 'whole numbers within ±2^53', String(v));
      }
      values.push(n);
    }
    return { shape, values, at };
  }

  private entry(name: string): Group | Dataset {
    if (!this.has(name)) this.at.child(name).fail('schema', `missing required field '${name}'`);
    this.read.add(name);
    const entry = this.h5.get(name);
    if (entry instanceof Group || entry instanceof Dataset) return entry;
    const kind = entry === null ? 'nothing' : entry.constructor.name;
    return this.at.child(name).fail('schema', `'${name}' must be a group or dataset`, 'a group or dataset', `${kind} (links to other objects or files are not followed)`);
  }

  private dataset(name: string, what: string): { dataset: Dataset; meta: Metadata; at: NirLocation } {
    const entry = this.entry(name);
    const at = this.at.child(name);
    if (!(entry instanceof Dataset)) return at.fail('schema', `'${name}' must be a dataset`, what, 'a group');
    const meta = entry.metadata;
    if (meta.shape === null) at.fail('shape', `'${name}' has no dataspace`, what, 'an empty (null) dataset');
    if (meta.virtual_sources !== undefined && meta.virtual_sources.length > 0) {
      at.fail('schema', `'${name}' is a virtual dataset`, 'data stored in this file', 'data mapped from other files');
    }
    return { dataset: entry, meta, at };
  }
}
