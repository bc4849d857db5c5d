import { fail } from '@spikeflow/core';
import type { NpyArray } from './npy.js';

/**
 * A plain table of events: a time and either a DVS pixel with its polarity (t, x, y, p) or a
 * channel (t, channel), and optionally, to hold a whole labelled data set in one table, the
 * sample each event belongs to and that sample's label. Columns are typed arrays of one length.
 */
export interface EventTable {
  /** Names the file in errors. */
  readonly name: string;
  readonly kind: 'dvs' | 'channel';
  readonly t: Float64Array;
  /** dvs: x, y and p (1 ON, 0 OFF); channel: channel. Absent columns are empty. */
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly p: Int32Array;
  readonly channel: Int32Array;
  readonly sample?: Int32Array;
  readonly label?: Int32Array;
  readonly length: number;
}

/** Most rows of one table (2^26 events, 1.5 GiB of columns at most). */
export const MAX_EVENTS = 2 ** 26;

const INTEGER_COLUMNS = ['x', 'y', 'p', 'channel', 'sample', 'label'] as const;
type Column = 't' | (typeof INTEGER_COLUMNS)[number];

const DECIMAL = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** A polarity as 1 (ON) or 0 (OFF): 1 is ON, 0 or −1 is OFF. */
function polarity(v: number, where: string): number {
  if (v !== 0 && v !== 1 && v !== -1) fail('feed', where, `polarity ${v}`, '1 (ON), 0 or -1 (OFF)', String(v));
  return v === 1 ? 1 : 0;
}

function columnsOf(names: readonly string[], name: string): { kind: 'dvs' | 'channel'; index: Map<Column, number> } {
  const index = new Map<Column, number>();
  names.forEach((n, i) => {
    if (n !== 't' && !(INTEGER_COLUMNS as readonly string[]).includes(n)) fail('feed', `${name}: header`, `unknown column '${n}'`, 't and x, y, p or t and channel, optionally sample and label', n);
    if (index.has(n as Column)) fail('feed', `${name}: header`, `column '${n}' appears twice`);
    index.set(n as Column, i);
  });
  const dvs = ['x', 'y', 'p'].every((c) => index.has(c as Column));
  const channel = index.has('channel');
  if (!index.has('t') || dvs === channel || (!dvs && (index.has('x') || index.has('y') || index.has('p')))) {
    fail('feed', `${name}: header`, 'an event table has the columns t, x, y, p (DVS) or t, channel', 't,x,y,p or t,channel (plus sample,label)', names.join(','));
  }
  if (index.has('sample') !== index.has('label')) fail('feed', `${name}: header`, 'sample and label columns come together', 'both or neither', index.has('sample') ? 'sample alone' : 'label alone');
  return { kind: dvs ? 'dvs' : 'channel', index };
}

function emptyTable(name: string, kind: 'dvs' | 'channel', length: number, labelled: boolean): EventTable {
  const n = (used: boolean) => new Int32Array(used ? length : 0);
  return {
    name,
    kind,
    length,
    t: new Float64Array(length),
    x: n(kind === 'dvs'),
    y: n(kind === 'dvs'),
    p: n(kind === 'dvs'),
    channel: n(kind === 'channel'),
    ...(labelled ? { sample: n(true), label: n(true) } : {}),
  };
}

/** Writes value `v` of `column` into row `r`, checking it. */
function setCell(table: EventTable, column: Column, r: number, v: number, where: string): void {
  if (column === 't') {
    if (!Number.isFinite(v)) fail('nan', where, `time ${v}`, 'a finite time', String(v));
    table.t[r] = v;
    return;
  }
  if (column === 'p') {
    table.p[r] = polarity(v, where);
    return;
  }
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** 31) fail('feed', where, `${column} ${v}`, 'an integer in [0, 2^31)', String(v));
  table[column]![r] = v;
}

/**
 * An event table from CSV or TSV text (the delimiter is the header's: a tab if it has one, else a
 * comma). The first line names the columns; blank lines are skipped. Errors name the line.
 */
export function parseEventText(text: string, name: string): EventTable {
  const lines = text.split(/\r?\n/).map((l, i) => ({ line: l.trim(), number: i + 1 })).filter((l) => l.line !== '');
  if (lines.length === 0) fail('feed', name, 'the event table is empty', 'a header line, then events');
  const delimiter = lines[0]!.line.includes('\t') ? '\t' : ',';
  const names = lines[0]!.line.split(delimiter).map((s) => s.trim());
  const { kind, index } = columnsOf(names, name);
  const rows = lines.slice(1);
  if (rows.length > MAX_EVENTS) fail('limit', name, `${rows.length} events exceed the limit`, `<= ${MAX_EVENTS} events`, String(rows.length));
  const table = emptyTable(name, kind, rows.length, index.has('sample'));
  rows.forEach(({ line, number }, r) => {
    const cells = line.split(delimiter);
    if (cells.length !== names.length) fail('feed', `${name}: line ${number}`, `${cells.length} fields in a table of ${names.length} columns`, String(names.length), String(cells.length));
    for (const [column, i] of index) {
      const cell = cells[i]!.trim();
      if (!DECIMAL.test(cell)) fail('feed', `${name}: line ${number}: ${column}`, 'not a decimal number', 'a number such as 12 or 0.5', JSON.stringify(cell));
      setCell(table, column, r, Number(cell), `${name}: line ${number}: ${column}`);
    }
  });
  return table;
}

/** One sample's events from a 2-D .npy: 4 columns (t, x, y, p) or 2 columns (t, channel). */
export function eventsFromNpy(a: NpyArray): EventTable {
  const [rows, cols] = a.shape;
  if (a.shape.length !== 2 || (cols !== 4 && cols !== 2)) fail('shape', a.where, 'an event array is 2-D with 4 columns (t, x, y, p) or 2 (t, channel)', '(N, 4) or (N, 2)', `(${a.shape.join(', ')})`);
  if (rows! > MAX_EVENTS) fail('limit', a.where, `${rows} events exceed the limit`, `<= ${MAX_EVENTS} events`, String(rows));
  const columns: readonly Column[] = cols === 4 ? ['t', 'x', 'y', 'p'] : ['t', 'channel'];
  const table = emptyTable(a.where, cols === 4 ? 'dvs' : 'channel', rows!, false);
  for (let r = 0; r < rows!; r++) columns.forEach((c, j) => setCell(table, c, r, a.at(r * cols + j), `${a.where}: row ${r}: ${c}`));
  return table;
}

/**
 * One N-MNIST recording (Orchard et al. 2015, the `.bin` files of the data set): 40-bit events,
 * x (8 bits), y (8 bits), polarity (1 bit) and a timestamp in µs (23 bits), big-endian.
 */
export function parseNmnistBin(bytes: Uint8Array, name: string): EventTable {
  if (bytes.length % 5 !== 0) fail('feed', name, `${bytes.length} bytes are not whole 5-byte events`, 'a multiple of 5 bytes', String(bytes.length));
  const n = bytes.length / 5;
  if (n > MAX_EVENTS) fail('limit', name, `${n} events exceed the limit`, `<= ${MAX_EVENTS} events`, String(n));
  const table = emptyTable(name, 'dvs', n, false);
  for (let i = 0; i < n; i++) {
    const [b0, b1, b2, b3, b4] = bytes.subarray(i * 5, i * 5 + 5) as unknown as [number, number, number, number, number];
    table.x[i] = b0;
    table.y[i] = b1;
    table.p[i] = b2 >> 7;
    table.t[i] = ((b2 & 0x7f) << 16) | (b3 << 8) | b4;
  }
  return table;
}
