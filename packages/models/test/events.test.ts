// Event tables (CSV/TSV, 2-D .npy, N-MNIST records) binned to frames, against frames worked by
// hand, and each malformed table refused with one message naming the file, line and field.
import { toArray } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { eventDataset, eventFrames, eventsFromNpy, parseEventText, parseNmnistBin, parseNpy } from '../src/index.js';
import { npyBytes } from './support/npy-bytes.js';
import { thrown } from './support/thrown.js';

/** The flat indices of the non-zero cells, and their values. */
const cells = (data: ArrayLike<number>) => Object.fromEntries(Array.from(data).flatMap((v, k) => (v === 0 ? [] : [[k, v]])));

const dvs = 't,x,y,p\n0,1,0,1\n1500,0,1,0\n\n2999,1,1,-1\n';

describe('binning events to frames', () => {
  it('fixed windows: [T, 2, H, W] with T = floor(duration/window) + 1, ON in channel 0, OFF (0 or −1) in channel 1', () => {
    const { frames } = eventFrames(parseEventText(dvs, 'e.csv'), { binning: { window: 1000 } });
    expect(frames.type.shape).toEqual([1, 3, 2, 2, 2]);
    // (t, channel, y, x): (0, 0, 0, 1) → 1; (1, 1, 1, 0) → 8 + 6; (2, 1, 1, 1) → 16 + 7.
    expect(cells(frames.data)).toEqual({ 1: 1, 14: 1, 23: 1 });
  });

  it('a fixed number of bins over the sample\'s own duration, the last event in the last bin', () => {
    const { frames } = eventFrames(parseEventText(dvs, 'e.csv'), { binning: { bins: 2 }, sensor: [2, 2] });
    expect(frames.type.shape).toEqual([1, 2, 2, 2, 2]);
    expect(cells(frames.data)).toEqual({ 1: 1, 14: 1, 15: 1 });
  });

  it('channel tables (TSV) give [T, C] counts, or 1s when binary; a fixed T drops later events', () => {
    const table = parseEventText('t\tchannel\n0\t2\n1\t2\n5\t2\n10\t0\n', 'e.tsv');
    expect(toArray(eventFrames(table, { binning: { window: 5 } }).frames)).toEqual([0, 0, 2, 0, 0, 1, 1, 0, 0]);
    expect(toArray(eventFrames(table, { binning: { window: 5 }, binary: true }).frames)).toEqual([0, 0, 1, 0, 0, 1, 1, 0, 0]);
    expect(toArray(eventFrames(table, { binning: { window: 5, steps: 2 }, channels: 4 }).frames)).toEqual([0, 0, 2, 0, 0, 0, 1, 0]);
  });

  it('reads a 2-D .npy of (t, x, y, p) rows and N-MNIST\'s 40-bit records', () => {
    const rows = new Float32Array([0, 1, 0, 1, 1500, 0, 1, 0, 2999, 1, 1, 0]);
    const fromNpy = eventsFromNpy(parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}", new Uint8Array(rows.buffer)), 'e.npy'));
    expect(cells(eventFrames(fromNpy, { binning: { window: 1000 } }).frames.data)).toEqual({ 1: 1, 14: 1, 23: 1 });
    // x 3, y 4, ON, t 0x012345 µs; then x 0, y 1, OFF, t 0x7fffff.
    const nmnist = parseNmnistBin(new Uint8Array([3, 4, 0x81, 0x23, 0x45, 0, 1, 0x7f, 0xff, 0xff]), '00001.bin');
    expect([...nmnist.x, ...nmnist.y, ...nmnist.p, ...nmnist.t]).toEqual([3, 0, 4, 1, 1, 0, 0x012345, 0x7fffff]);
  });

  it('groups a labelled table into a sequence data set, one sample per id', () => {
    const d = eventDataset(parseEventText('sample,label,t,channel\n5,1,0,0\n2,0,7,1\n5,1,3,1\n2,0,9,0\n', 'e.csv'), { binning: { bins: 2 } });
    expect(d.x.type.shape).toEqual([2, 2, 2]);
    // Sample 2 (label 0): t 7 → bin 0 channel 1, t 9 → bin 1 channel 0. Sample 5 (label 1): t 0 → bin 0 channel 0, t 3 → bin 1 channel 1.
    expect(toArray(d.x)).toEqual([0, 1, 1, 0, 1, 0, 0, 1]);
    expect(toArray(d.labels)).toEqual([0, 1]);
    expect(d.sequence).toBe(true);
  });
});

describe('malformed event tables', () => {
  const cases: [string, () => unknown, string][] = [
    ['an empty file', () => parseEventText('\n\n', 'e.csv'), "[feed] at 'e.csv': the event table is empty"],
    ['an unknown column', () => parseEventText('t,x,y,pol\n0,0,0,1', 'e.csv'), "[feed] at 'e.csv: header': unknown column 'pol'"],
    ['a __proto__ column', () => parseEventText('t,channel,__proto__\n0,0,1', 'e.csv'), "[feed] at 'e.csv: header': unknown column '__proto__'"],
    ['both layouts at once', () => parseEventText('t,x,y,p,channel\n0,0,0,1,0', 'e.csv'), "[feed] at 'e.csv: header': an event table has the columns t, x, y, p (DVS) or t, channel"],
    ['a row with a missing field', () => parseEventText('t,channel\n0,1\n2\n', 'e.csv'), "[feed] at 'e.csv: line 3': 1 fields in a table of 2 columns"],
    ['a cell that is not a number', () => parseEventText('t,channel\n0,1\n0x10,1\n', 'e.csv'), "[feed] at 'e.csv: line 3: t': not a decimal number; expected a number such as 12 or 0.5; found \"0x10\""],
    ['a polarity of 2', () => parseEventText('t,x,y,p\n0,1,1,2\n', 'e.csv'), "[feed] at 'e.csv: line 2: p': polarity 2"],
    ['a negative channel', () => parseEventText('t,channel\n0,-1\n', 'e.csv'), "[feed] at 'e.csv: line 2: channel': channel -1"],
    ['an event outside the given sensor', () => eventFrames(parseEventText(dvs, 'e.csv'), { binning: { bins: 2 }, sensor: [1, 2] }), "[feed] at 'e.csv: event 1: y': y 1 lies outside the 1 given"],
    ['a sample with two labels', () => eventDataset(parseEventText('sample,label,t,channel\n0,1,0,0\n0,0,1,0\n0,1,2,0\n1,0,0,0', 'e.csv'), { binning: { bins: 1 } }), "[feed] at 'e.csv: event 1: label': sample 0 has two labels"],
    ['a data set without labels', () => eventDataset(parseEventText('t,channel\n0,0', 'e.csv'), { binning: { bins: 1 } }), "[feed] at 'e.csv: header': a labelled event data set needs sample and label columns"],
    ['a window of 0', () => eventFrames(parseEventText(dvs, 'e.csv'), { binning: { window: 0 } }), "[attr] at 'e.csv: window': the time window must be a finite number > 0"],
    ['a .npy with 3 columns', () => eventsFromNpy(parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3)}", new Uint8Array(12)), 'e.npy')), "[shape] at 'e.npy': an event array is 2-D with 4 columns (t, x, y, p) or 2 (t, channel)"],
    ['an N-MNIST file cut mid-record', () => parseNmnistBin(new Uint8Array(7), 'n.bin'), "[feed] at 'n.bin': 7 bytes are not whole 5-byte events"],
  ];
  for (const [what, f, message] of cases) it(`refuses ${what}`, () => expect(thrown(f).message).toContain(message));
});
