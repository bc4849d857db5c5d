import { fail, type ErrorCode } from '@spikeflow/core';

/**
 * Where in a NIR file (or in-memory document) a value sits: the file's name as the caller gave it
 * and the HDF5 path inside it, e.g. `braille.nir` and `node/nodes/lif1.lif/tau_mem`. Every
 * rejection names both, so one error line says which file, node and field is at fault. Paths use
 * `/` because NIR node names may contain dots (`lif1.lif`).
 */
export class NirLocation {
  constructor(readonly source: string, readonly path: string) {}

  /** The location of a member (node, field or nested group) of this one. */
  child(name: string): NirLocation {
    return new NirLocation(this.source, this.path === '' ? name : `${this.path}/${name}`);
  }

  /** `file: path`, the `where` of every error raised here. */
  toString(): string {
    return this.path === '' ? this.source : `${this.source}: ${this.path}`;
  }

  fail(code: ErrorCode, message: string, expected?: string, found?: string): never {
    return fail(code, this.toString(), message, expected, found);
  }
}

/** The root of a document: `node` is the top-level graph, as in NIR files. */
export function documentRoot(source: string): NirLocation {
  return new NirLocation(source, '');
}
