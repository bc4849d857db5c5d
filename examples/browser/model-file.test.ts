import { describe, expect, it } from 'vitest';
import { modelFileKind } from './model-file.js';

const bytes = (...parts: (string | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? Array.from(new TextEncoder().encode(p)) : p)));

describe('model file kinds', () => {
  it('tells a checkpoint, a NIR (HDF5) file and a spec JSON apart by their first bytes, whatever their names', () => {
    expect(modelFileKind(bytes('SPKFCKPT', [0, 0]), 'a.json')).toBe('checkpoint');
    expect(modelFileKind(bytes([0x89], 'HDF\r\n\x1a\n', [0]), 'a.spkf')).toBe('nir');
    expect(modelFileKind(bytes('{"kind":"sequential"}'), 'a.nir')).toBe('spec');
    expect(modelFileKind(bytes([0xef, 0xbb, 0xbf], ' \r\n\t{}'), 'bom.json')).toBe('spec');
  });

  it('refuses anything else in one line naming the file', () => {
    const line = 'x.json: not a model file: a checkpoint starts with "SPKFCKPT", a NIR file with the HDF5 signature, a spec JSON with "{"';
    for (const b of [bytes('[1]'), bytes('SPKF'), bytes([0x89], 'HDF'), new Uint8Array(0), bytes('   '), bytes([0xef, 0xbb], '{')]) expect(() => modelFileKind(b, 'x.json')).toThrow(line);
  });
});
