import { fail, MAX_TENSOR_ELEMENTS } from '@spikeflow/core';
import { parsePythonDict, type PyValue } from './python-literal.js';

/**
 * A strict reader of NumPy's .npy format (versions 1.0, 2.0 and 3.0): the magic, the header dict
 * (parsed, never evaluated), then the raw elements. Only plain numeric dtypes are accepted;
 * big-endian elements are converted when read and Fortran-order arrays are transposed to C order.
 * See https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** NumPy itself refuses headers above 10,000 bytes unless told otherwise; so does this reader. */
const MAX_HEADER_BYTES = 10_000;
const MAX_RANK = 32;

export type NpyKind = 'float' | 'int' | 'uint' | 'bool';

export interface NpyArray {
  /** For error messages: the file, and the member of an .npz (`data.npz: x.npy`). */
  readonly where: string;
  readonly shape: readonly number[];
  readonly kind: NpyKind;
  /** Bytes per element. */
  readonly itemBytes: number;
  /** Element k in C (row-major) order, converted to a JS number (64-bit integers must be exact). */
  readonly at: (k: number) => number;
  readonly size: number;
}

const DTYPES: ReadonlyMap<string, readonly [NpyKind, number]> = new Map([
  ['f4', ['float', 4]],
  ['f8', ['float', 8]],
  ['i1', ['int', 1]],
  ['i2', ['int', 2]],
  ['i4', ['int', 4]],
  ['i8', ['int', 8]],
  ['u1', ['uint', 1]],
  ['u2', ['uint', 2]],
  ['u4', ['uint', 4]],
  ['u8', ['uint', 8]],
  ['b1', ['bool', 1]],
] as const);

function descr(value: PyValue | undefined, where: string): { kind: NpyKind; itemBytes: number; little: boolean } {
  if (typeof value !== 'string') fail('feed', where, "'descr' must be a dtype string such as '<f4'", 'a string', JSON.stringify(value));
  const order = value[0];
  const type = DTYPES.get(value.slice(1));
  const oneByte = type !== undefined && type[1] === 1;
  // '|' (no byte order) is for one-byte types; '=' is native, which NumPy only writes on its own machine.
  if (type === undefined || !(order === '<' || order === '>' || (order === '|' && oneByte))) {
    fail('feed', where, `unsupported dtype '${value}'`, "<f4, <f8, <i1..<i8, <u1..<u8 or |b1 (big-endian '>' also read)", value);
  }
  return { kind: type[0], itemBytes: type[1], little: order !== '>' };
}

function shapeOf(value: PyValue | undefined, where: string): number[] {
  if (!Array.isArray(value)) fail('feed', where, "'shape' must be a tuple of integers", 'a tuple such as (3, 4)', JSON.stringify(value));
  const shape = value as number[];
  if (shape.length > MAX_RANK) fail('limit', where, `a shape of rank ${shape.length} exceeds the limit`, `rank <= ${MAX_RANK}`, String(shape.length));
  return shape;
}

const pyShape = (shape: readonly number[]) => `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;

/** Reads element k of the raw data as a number. */
function elementReader(view: DataView, kind: NpyKind, itemBytes: number, little: boolean, where: string): (k: number) => number {
  const big = (k: number, signed: boolean): number => {
    const v = signed ? view.getBigInt64(k * 8, little) : view.getBigUint64(k * 8, little);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) fail('feed', where, `element ${k} (${v}) is not exactly representable as a number`, `|value| < 2^53`, String(v));
    return n;
  };
  switch (`${kind}${itemBytes}`) {
    case 'float4': return (k) => view.getFloat32(k * 4, little);
    case 'float8': return (k) => view.getFloat64(k * 8, little);
    case 'int1': return (k) => view.getInt8(k);
    case 'int2': return (k) => view.getInt16(k * 2, little);
    case 'int4': return (k) => view.getInt32(k * 4, little);
    case 'int8': return (k) => big(k, true);
    case 'uint1': return (k) => view.getUint8(k);
    case 'uint2': return (k) => view.getUint16(k * 2, little);
    case 'uint4': return (k) => view.getUint32(k * 4, little);
    case 'uint8': return (k) => big(k, false);
    case 'bool1': return (k) => (view.getUint8(k) === 0 ? 0 : 1);
  }
  throw new Error(`internal: no reader for ${kind}${itemBytes}`);
}

/** The source index in a Fortran-order buffer of the C-order element k. */
function fortranIndex(shape: readonly number[]): (k: number) => number {
  const strides: number[] = [];
  let s = 1;
  for (const d of shape) {
    strides.push(s);
    s *= d;
  }
  return (k) => {
    let src = 0;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const d = shape[axis]!;
      src += (k % d) * strides[axis]!;
      k = Math.floor(k / d);
    }
    return src;
  };
}

function header(bytes: Uint8Array, where: string): { dict: Map<string, PyValue>; dataStart: number } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('feed', `${where}: magic`, 'not a .npy file', 'the magic \\x93NUMPY', `${Math.min(bytes.length, 6)} other bytes`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (![1, 2, 3].includes(major) || minor !== 0) fail('feed', `${where}: version`, `unsupported .npy version ${major}.${minor}`, '1.0, 2.0 or 3.0', `${major}.${minor}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('feed', `${where}: header`, 'the file ends inside the header length');
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (length > MAX_HEADER_BYTES) fail('limit', `${where}: header`, `a header of ${length} bytes exceeds the limit`, `<= ${MAX_HEADER_BYTES} bytes`, String(length));
  const dataStart = 8 + lengthBytes + length;
  if (bytes.length < dataStart) fail('feed', `${where}: header`, `the header says ${length} bytes, the file ends after ${bytes.length - 8 - lengthBytes}`);
  const raw = bytes.subarray(8 + lengthBytes, dataStart);
  // Versions 1 and 2 are latin-1, version 3 UTF-8.
  const text = major === 3 ? new TextDecoder('utf-8', { fatal: true }).decode(raw) : String.fromCharCode(...raw);
  const dict = parsePythonDict(text, `${where}: header`);
  for (const key of dict.keys()) if (!['descr', 'fortran_order', 'shape'].includes(key)) fail('feed', `${where}: header`, `unknown key '${key}'`, 'descr, fortran_order and shape');
  for (const key of ['descr', 'fortran_order', 'shape']) if (!dict.has(key)) fail('feed', `${where}: header`, `missing key '${key}'`, 'descr, fortran_order and shape');
  return { dict, dataStart };
}

/** Parses a .npy file's bytes; `where` names it in errors (a file name, or `data.npz: x.npy`). */
export function parseNpy(bytes: Uint8Array, where: string): NpyArray {
  const { dict, dataStart } = header(bytes, where);
  const { kind, itemBytes, little } = descr(dict.get('descr'), `${where}: header: descr`);
  const fortran = dict.get('fortran_order');
  if (typeof fortran !== 'boolean') fail('feed', `${where}: header: fortran_order`, "'fortran_order' must be True or False", 'True or False', JSON.stringify(fortran));
  const shape = shapeOf(dict.get('shape'), `${where}: header: shape`);
  const size = shape.reduce((a, d) => a * d, 1);
  if (size > MAX_TENSOR_ELEMENTS) fail('limit', `${where}: header`, `shape ${pyShape(shape)} has ${size} elements, above the limit per tensor`, `<= ${MAX_TENSOR_ELEMENTS} elements`, String(size));
  const need = size * itemBytes;
  const have = bytes.length - dataStart;
  if (need !== have) fail('feed', `${where}: header`, `shape ${pyShape(shape)} needs ${need} bytes, file has ${have}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart, need);
  const read = elementReader(view, kind, itemBytes, little, where);
  const source = fortran && shape.length > 1 ? fortranIndex(shape) : undefined;
  return { where, shape, kind, itemBytes, size, at: source === undefined ? read : (k) => read(source(k)) };
}
