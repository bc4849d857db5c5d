import { fail, MAX_TENSOR_ELEMENTS, type HostTensor } from '@spikeflow/core';
import { labelledDataset, type LabelledDataset } from './dataset.js';
import type { EventTable } from './event-table.js';

/**
 * How events become frames: counted into T bins of a fixed `window` of time from each sample's
 * first event, or into a fixed number of `bins` spanning each sample's own duration.
 */
export type Binning = { readonly window: number; readonly steps?: number } | { readonly bins: number };

export interface FrameOptions {
  readonly binning: Binning;
  /** DVS: the sensor [H, W] (default: the largest x and y seen + 1). */
  readonly sensor?: readonly [number, number];
  /** Channel tables: the number of channels C (default: the largest channel seen + 1). */
  readonly channels?: number;
  /** 1 where a bin holds any event, instead of the count (default false). */
  readonly binary?: boolean;
}

/** The frame layout: [2, H, W] (ON, OFF) for DVS events, [C] for channels; and each event's cell. */
function layout(table: EventTable, options: FrameOptions): { shape: number[]; cell: (r: number) => number } {
  const largest = (column: Int32Array) => column.reduce((m, v) => Math.max(m, v), -1) + 1;
  const check = (size: number, what: string) => {
    if (!Number.isSafeInteger(size) || size < 1) fail('attr', `${table.name}: ${what}`, 'must be a positive integer', 'an integer >= 1', String(size));
  };
  const outside = (column: Int32Array, size: number, what: string) => {
    const r = column.findIndex((v) => v >= size);
    if (r >= 0) fail('feed', `${table.name}: event ${r}: ${what}`, `${what} ${column[r]} lies outside the ${size} given`, `< ${size}`, String(column[r]));
  };
  if (table.kind === 'channel') {
    const c = options.channels ?? largest(table.channel);
    check(c, 'channels');
    outside(table.channel, c, 'channel');
    return { shape: [c], cell: (r) => table.channel[r]! };
  }
  const [h, w] = options.sensor ?? [largest(table.y), largest(table.x)];
  check(h, 'sensor height');
  check(w, 'sensor width');
  outside(table.y, h, 'y');
  outside(table.x, w, 'x');
  // ON (p = 1) is channel 0 and OFF channel 1, as in deltaEncode.
  return { shape: [2, h, w], cell: (r) => ((1 - table.p[r]!) * h + table.y[r]!) * w + table.x[r]! };
}

/** Each sample's rows, in table order: by the sample column, or the whole table as sample 0. */
function samplesOf(table: EventTable): number[][] {
  if (table.sample === undefined) return [Array.from({ length: table.length }, (_, r) => r)];
  const rows = new Map<number, number[]>();
  table.sample.forEach((s, r) => (rows.get(s) ?? rows.set(s, []).get(s)!).push(r));
  return [...rows.keys()].sort((a, b) => a - b).map((s) => rows.get(s)!);
}

function span(table: EventTable, rows: readonly number[]): { start: number; duration: number } {
  let [start, end] = [Infinity, -Infinity];
  for (const r of rows) [start, end] = [Math.min(start, table.t[r]!), Math.max(end, table.t[r]!)];
  return { start, duration: end - start };
}

/** T and the bin of an event at time offset `dt` from its sample's start, of duration `duration`. */
function binner(binning: Binning, name: string, longest: number): { steps: number; bin: (dt: number, duration: number) => number } {
  if ('bins' in binning) {
    const n = binning.bins;
    if (!Number.isSafeInteger(n) || n < 1) fail('attr', `${name}: bins`, 'the number of bins must be a positive integer', 'an integer >= 1', String(n));
    return { steps: n, bin: (dt, duration) => (duration === 0 ? 0 : Math.min(n - 1, Math.floor((dt / duration) * n))) };
  }
  const { window } = binning;
  if (!Number.isFinite(window) || window <= 0) fail('attr', `${name}: window`, 'the time window must be a finite number > 0', 'a number > 0', String(window));
  const steps = binning.steps ?? Math.floor(longest / window) + 1;
  if (!Number.isSafeInteger(steps) || steps < 1) fail('attr', `${name}: steps`, 'the number of steps must be a positive integer', 'an integer >= 1', String(steps));
  // Events past the last window are dropped.
  return { steps, bin: (dt) => Math.floor(dt / window) };
}

/**
 * Bins an event table into frames, sample-major: [N, T, 2, H, W] (DVS) or [N, T, C] (channels),
 * N = 1 for a table without a sample column. Returns the frames and the samples' ids in order.
 */
export function eventFrames(table: EventTable, options: FrameOptions): { frames: HostTensor; samples: number[][] } {
  const { shape, cell } = layout(table, options);
  const samples = samplesOf(table);
  const spans = samples.map((rows) => span(table, rows));
  const { steps, bin } = binner(options.binning, table.name, Math.max(0, ...spans.map((s) => s.duration)));
  const frame = shape.reduce((a, d) => a * d, 1);
  const size = samples.length * steps * frame;
  if (size > MAX_TENSOR_ELEMENTS) fail('limit', table.name, `${samples.length} samples of ${steps} frames of ${frame} cells exceed the limit per tensor`, `<= ${MAX_TENSOR_ELEMENTS} elements`, String(size));
  const data = new Float32Array(size);
  samples.forEach((rows, i) => {
    const { start, duration } = spans[i]!;
    for (const r of rows) {
      const t = bin(table.t[r]! - start, duration);
      if (t >= steps) continue;
      const k = (i * steps + t) * frame + cell(r);
      data[k] = options.binary === true ? 1 : data[k]! + 1;
    }
  });
  return { frames: { type: { shape: [samples.length, steps, ...shape], dtype: 'f32' }, data }, samples };
}

/**
 * A labelled sequence data set from a table with sample and label columns: each sample's frames
 * [T, 2, H, W] or [T, C], labelled by its rows' label (which must agree).
 */
export function eventDataset(table: EventTable, options: FrameOptions & { readonly classes?: number }): LabelledDataset {
  if (table.sample === undefined || table.label === undefined) fail('feed', `${table.name}: header`, 'a labelled event data set needs sample and label columns', 'columns sample and label', 'neither');
  const { frames, samples } = eventFrames(table, options);
  const labels = new Int32Array(samples.length);
  samples.forEach((rows, i) => {
    labels[i] = table.label![rows[0]!]!;
    const other = rows.find((r) => table.label![r] !== labels[i]);
    if (other !== undefined) fail('feed', `${table.name}: event ${other}: label`, `sample ${table.sample![other]} has two labels`, String(labels[i]), String(table.label![other]));
  });
  return labelledDataset(frames, { type: { shape: [samples.length], dtype: 'i32' }, data: labels }, { name: table.name, sequence: true, ...(options.classes === undefined ? {} : { classes: options.classes }) });
}
