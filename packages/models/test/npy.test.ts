// The .npy/.npz readers against files NumPy wrote (test/fixtures/make-npy-fixtures.py) and
// against malformed files, each refused with one message naming the file and field.
import { readFileSync } from 'node:fs';
import { toArray } from '@spikeflow/core';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { npyToFloat32, npyToLabels, npzDataset, parseNpy, parseNpz } from '../src/index.js';
import { npyBytes } from './support/npy-bytes.js';
import { thrown } from './support/thrown.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const values = (name: string) => { const a = parseNpy(fixture(name), name); return { shape: a.shape, values: Array.from({ length: a.size }, (_, k) => a.at(k)) }; };

const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);
const quarters = Array.from({ length: 12 }, (_, k) => k / 4);

describe('.npy files written by NumPy', () => {
  it('reads versions 1.0, 2.0 and 3.0 of the same <f4 (3, 4) array', () => {
    for (const name of ['f4-v1.npy', 'f4-v2.npy', 'f4-v3.npy']) expect(values(name), name).toEqual({ shape: [3, 4], values: quarters });
  });

  it('transposes a Fortran-order <f8 array to C order', () => {
    expect(values('f8-fortran.npy')).toEqual({ shape: [3, 4], values: quarters });
  });

  it('converts big-endian >i4 and reads u1, i8 and b1', () => {
    expect(values('i4-big-endian.npy')).toEqual({ shape: [2, 3], values: [1, -2, 3, 40000, -50000, 6] });
    expect(values('u1.npy').values).toEqual([0, 7, 255]);
    expect(values('i8.npy').values).toEqual([-(2 ** 40), 5]);
    expect(values('b1.npy').values).toEqual([1, 0, 1]);
  });

  it('refuses NaN in float data, naming the element, unless asked to keep it', () => {
    const a = parseNpy(fixture('f4-nan.npy'), 'f4-nan.npy');
    expect(thrown(() => npyToFloat32(a)).message).toBe("[nan] at 'f4-nan.npy': element [1] is NaN; float data must be finite; expected finite values; found NaN");
    expect(Number.isNaN(toArray(npyToFloat32(a, { allowNonFinite: true }))[1])).toBe(true);
  });

  it('reads labels from integer, bool and whole float arrays and refuses the rest', () => {
    expect(toArray(npyToLabels(parseNpy(fixture('u1.npy'), 'u1.npy')))).toEqual([0, 7, 255]);
    expect(thrown(() => npyToLabels(parseNpy(fixture('i8.npy'), 'i8.npy'))).message).toContain("at 'i8.npy': label 0 is -1099511627776");
    expect(thrown(() => npyToLabels(parseNpy(fixture('f4-v1.npy'), 'f4-v1.npy'))).message).toContain('labels must be one-dimensional');
  });
});

describe('malformed .npy files', () => {
  const header = (fields: string) => `{${fields}}`;
  const good = "'descr': '<f4', 'fortran_order': False, 'shape': (2,), ";
  const cases: [string, Uint8Array, string][] = [
    ['a file that is not .npy', strToU8('PK\x03\x04 not numpy'), "[feed] at 'bad.npy: magic': not a .npy file; expected the magic \\x93NUMPY; found 6 other bytes"],
    ['version 4.0', npyBytes(header(good), f32(1, 2), 4), "[feed] at 'bad.npy: version': unsupported .npy version 4.0; expected 1.0, 2.0 or 3.0; found 4.0"],
    ['a header longer than the file', npyBytes(header(good)).subarray(0, 30), "[feed] at 'bad.npy: header': the header says 70 bytes, the file ends after 20"],
    ['code in the header', npyBytes("{'descr': __import__('os').system('x'), 'fortran_order': False, 'shape': (2,)}", f32(1, 2)), "[feed] at 'bad.npy: header': expected a string, True, False, an integer or a tuple of integers at character 10"],
    ['an unknown key', npyBytes(header(`${good}'extra': 1`), f32(1, 2)), "[feed] at 'bad.npy: header': unknown key 'extra'"],
    ['a __proto__ key', npyBytes(header(`${good}'__proto__': 1`), f32(1, 2)), "[feed] at 'bad.npy: header': unknown key '__proto__'"],
    ['a missing key', npyBytes(header("'descr': '<f4', 'shape': (2,)"), f32(1, 2)), "[feed] at 'bad.npy: header': missing key 'fortran_order'"],
    ['a duplicate key', npyBytes(header(`${good}'shape': (2,)`), f32(1, 2)), "[feed] at 'bad.npy: header': duplicate key 'shape'"],
    ['a complex dtype', npyBytes(header("'descr': '<c8', 'fortran_order': False, 'shape': (2,)"), f32(1, 2, 3, 4)), "[feed] at 'bad.npy: header: descr': unsupported dtype '<c8'"],
    ['a structured dtype', npyBytes(header("'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)"), f32(1, 2)), "[feed] at 'bad.npy: header': expected a string, True, False, an integer or a tuple of integers at character 10"],
    ['a non-boolean fortran_order', npyBytes(header("'descr': '<f4', 'fortran_order': 0, 'shape': (2,)"), f32(1, 2)), "[feed] at 'bad.npy: header: fortran_order': 'fortran_order' must be True or False"],
    ['too few bytes for the shape', npyBytes(header("'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)"), f32(...quarters.slice(0, 10))), "[feed] at 'bad.npy: header': shape (3, 4) needs 48 bytes, file has 40"],
    ['too many bytes for the shape', npyBytes(header(good), f32(1, 2, 3)), "[feed] at 'bad.npy: header': shape (2,) needs 8 bytes, file has 12"],
    ['a shape above the tensor limit', npyBytes(header("'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536)")), "[limit] at 'bad.npy: header': shape (65536, 65536) has 4294967296 elements, above the limit per tensor"],
  ];
  for (const [what, bytes, message] of cases) {
    it(`refuses ${what}`, () => expect(thrown(() => parseNpy(bytes, 'bad.npy')).message).toContain(message));
  }
});

describe('.npz files and the data file convention', () => {
  it('reads a NumPy savez file with x, y, x_test and y_test into a train/test split', () => {
    const { train, test } = npzDataset(fixture('data.npz'), 'data.npz');
    const x = Array.from({ length: 24 }, (_, k) => k / 8);
    expect(train.x.type.shape).toEqual([6, 4]);
    expect(toArray(train.x)).toEqual(x);
    expect(toArray(train.labels)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(train.classes).toBe(3);
    expect(train.sequence).toBe(false);
    expect(toArray(test!.x)).toEqual(x.slice(0, 8).map((v) => v + 1));
    expect(toArray(test!.labels)).toEqual([2, 0]);
  });

  it('reads deflated members (savez_compressed)', () => {
    const { train, test } = npzDataset(fixture('data-compressed.npz'), 'data-compressed.npz');
    expect(toArray(train.x)).toEqual(Array.from({ length: 24 }, (_, k) => k / 8));
    expect(test).toBeUndefined();
  });

  const y = npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2,)}", new Uint8Array(new Int32Array([0, 1]).buffer));
  const x = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}", f32(1, 2, 3, 4));
  const cases: [string, Record<string, Uint8Array>, string][] = [
    ['a member short of its shape', { 'x.npy': npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}", f32(...quarters.slice(0, 10))), 'y.npy': y }, "[feed] at 'data.npz: x.npy: header': shape (3, 4) needs 48 bytes, file has 40"],
    ['a member that is not .npy', { 'x.npy': x, 'y.npy': y, 'notes.txt': strToU8('hi') }, "[feed] at 'data.npz: notes.txt': an .npz member must be a .npy file"],
    ['a __proto__ member', { 'x.npy': x, 'y.npy': y, '__proto__.npy': y }, "[feed] at 'data.npz: __proto__.npy': unknown member '__proto__'"],
    ['a missing y', { 'x.npy': x }, "[feed] at 'data.npz': no 'y.npy' member"],
    ['a misspelt key', { 'X.npy': x, 'y.npy': y }, "[feed] at 'data.npz: X.npy': unknown member 'X'"],
    ['x_test without y_test', { 'x.npy': x, 'y.npy': y, 'x_test.npy': x }, "[feed] at 'data.npz': x_test and y_test come together"],
    ['a negative label', { 'x.npy': x, 'y.npy': npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2,)}", new Uint8Array(new Int32Array([0, -1]).buffer)) }, "[feed] at 'data.npz: y.npy': label 1 is -1; labels are class indices"],
    ['labels and samples of different counts', { 'x.npy': x, 'y.npy': npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3,)}", new Uint8Array([0, 1, 1])) }, "[shape] at 'data.npz: labels': x holds 2 samples and the labels 3"],
    ['an infinity in x', { 'x.npy': npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}", f32(1, Infinity, 3, 4)), 'y.npy': y }, "[nan] at 'data.npz: x.npy': element [0, 1] is Infinity"],
  ];
  for (const [what, members, message] of cases) {
    it(`refuses ${what}`, () => expect(thrown(() => npzDataset(zipSync(members), 'data.npz')).message).toContain(message));
  }

  it('refuses bytes that are not a zip archive, naming the file', () => {
    expect(thrown(() => parseNpz(strToU8('not a zip at all, just some text of some length'), 'data.npz')).message).toContain("[feed] at 'data.npz: zip': not a readable zip archive");
  });
});
